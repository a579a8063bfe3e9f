/**
 * HTTP/1.1 spoken by hand over a TCP socket: what a broken or hostile client sends (bad chunk
 * framing, a body cut short, a stalled upload), which fetch cannot be made to send.
 */
import net from 'node:net'

export interface RawAnswer {
  /** Everything the server sent, as text. */
  text: string
  /** The status of the first response, or null when none came. */
  status: number | null
  /** How the connection ended: the server closed it, it was reset, or we gave up waiting. */
  end: 'closed' | 'reset' | 'timeout'
}

export const statusOf = (text: string): number | null => {
  const m = /^HTTP\/1\.1 (\d{3})/.exec(text)
  return m ? Number(m[1]) : null
}

/**
 * Sends `parts` (written one after the other, `pauseMs` apart), then waits for the server to
 * close the connection or `timeoutMs`. `closeAfterSend` half-closes our side after the last part.
 */
export function rawExchange(port: number, parts: (string | Uint8Array)[], opts: { timeoutMs?: number; pauseMs?: number; closeAfterSend?: boolean; host?: string } = {}): Promise<RawAnswer> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = []
    let done = false
    const finish = (end: RawAnswer['end']) => {
      if (done) return
      done = true
      clearTimeout(timer)
      socket.destroy()
      const text = Buffer.concat(chunks).toString('latin1')
      resolve({ text, status: statusOf(text), end })
    }
    const socket = net.connect(port, opts.host ?? '127.0.0.1', async () => {
      for (const [i, p] of parts.entries()) {
        if (i > 0 && opts.pauseMs) await new Promise((r) => setTimeout(r, opts.pauseMs))
        if (done) return
        socket.write(p)
      }
      if (opts.closeAfterSend) socket.end()
    })
    socket.on('data', (d: Buffer) => chunks.push(d))
    socket.on('end', () => finish('closed'))
    socket.on('close', () => finish('closed'))
    socket.on('error', (e: NodeJS.ErrnoException) => finish(e.code === 'ECONNRESET' ? 'reset' : 'closed'))
    const timer = setTimeout(() => finish('timeout'), opts.timeoutMs ?? 5_000)
  })
}

/** A request head; `headers` are written as given. */
export const head = (method: string, path: string, headers: Record<string, string | number>) =>
  `${method} ${path} HTTP/1.1\r\nHost: test\r\n${Object.entries(headers)
    .map(([k, v]) => `${k}: ${v}\r\n`)
    .join('')}\r\n`
