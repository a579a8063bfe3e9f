import net from 'node:net'

export interface SocketAnswer {
  /** Everything the server sent. */
  text: string
  /** The HTTP status of the first response line; 0 when none came. */
  status: number
  /** How the connection ended: the server closed it, reset it, or it was still open at the bound. */
  end: 'closed' | 'reset' | 'timeout'
}

/** Opens a loopback connection to `port` and resolves once it is connected. */
export function connect(port: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1')
    socket.once('connect', () => resolve(socket))
    socket.once('error', reject)
  })
}

/** Sends `request` as written on a fresh connection and reads until the server ends it (or `timeoutMs`, a bound, not an assertion). */
export async function exchange(port: number, request: string, timeoutMs = 5_000): Promise<SocketAnswer> {
  const socket = await connect(port)
  const chunks: Buffer[] = []
  return new Promise((resolve) => {
    const done = (end: SocketAnswer['end']) => {
      clearTimeout(timer)
      socket.destroy()
      const text = Buffer.concat(chunks).toString('latin1')
      resolve({ text, status: Number(/^HTTP\/1\.[01] (\d{3})/.exec(text)?.[1] ?? 0), end })
    }
    const timer = setTimeout(() => done('timeout'), timeoutMs)
    socket.on('data', (c: Buffer) => chunks.push(c))
    socket.on('error', (e: NodeJS.ErrnoException) => done(e.code === 'ECONNRESET' ? 'reset' : 'closed'))
    socket.on('end', () => done('closed'))
    socket.write(request)
  })
}
