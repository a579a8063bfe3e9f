/** The clients of `npm run bench:overload`: one POST, an open-loop load, the health prober, the RSS sampler. */
import http from 'node:http'
import { readFileSync } from 'node:fs'

export type Outcome = {
  kind: '200' | '503' | 'other' | 'reset'
  status: number
  ms: number
  code?: string
  /** Sent on a kept-alive connection; the whole body written when it ended (ms after the start), or never. */
  reused?: boolean
  writtenMs?: number
  /** When it was sent, ms after the load began (open loop only). */
  atMs?: number
  /** A 200's own timings (ms), as the server gave them. */
  timings?: Record<string, number>
}

/** POSTs one image to `url` over `agent`; never throws (a reset is an outcome). */
export function post(url: string, body: Uint8Array, agent: http.Agent, timeoutMs = 30_000): Promise<Outcome> {
  const t0 = performance.now()
  return new Promise((resolve) => {
    let writtenMs: number | undefined
    let timings: Record<string, number> | undefined
    const done = (kind: Outcome['kind'], status = 0, code?: string) =>
      resolve({ kind, status, ms: performance.now() - t0, ...(code ? { code } : {}), reused: req.reusedSocket, ...(writtenMs === undefined ? {} : { writtenMs }), ...(timings ? { timings } : {}) })
    const req = http.request(url, { method: 'POST', agent, headers: { 'content-type': 'application/octet-stream', 'content-length': body.length }, timeout: timeoutMs }, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (c: Buffer) => res.statusCode === 200 && chunks.push(c))
      res.on('end', () => {
        if (chunks.length) {
          try {
            timings = JSON.parse(Buffer.concat(chunks).toString()).timings
          } catch {}
        }
        done(res.statusCode === 200 ? '200' : res.statusCode === 503 ? '503' : 'other', res.statusCode)
      })
      res.on('error', (e: NodeJS.ErrnoException) => done('reset', res.statusCode, e.code ?? e.message))
    })
    req.on('finish', () => {
      writtenMs = performance.now() - t0
    })
    req.on('timeout', () => req.destroy(new Error('client timeout')))
    req.on('error', (e: NodeJS.ErrnoException) => done(e.code === 'ECONNRESET' || e.code === 'EPIPE' || e.code === 'ECONNREFUSED' ? 'reset' : 'other', 0, e.code ?? e.message))
    req.end(body)
  })
}

/** GET `url` over `agent`: the status and the time it took (status 0: no answer). */
export function get(url: string, agent: http.Agent, timeoutMs = 5_000): Promise<{ status: number; ms: number }> {
  const t0 = performance.now()
  return new Promise((resolve) => {
    const req = http.get(url, { agent, timeout: timeoutMs }, (res) => {
      res.resume()
      res.on('end', () => resolve({ status: res.statusCode ?? 0, ms: performance.now() - t0 }))
    })
    req.on('timeout', () => req.destroy(new Error('timeout')))
    req.on('error', () => resolve({ status: 0, ms: performance.now() - t0 }))
  })
}

/**
 * Open loop: `rate` requests per second for `seconds`, sent on schedule whatever the answers (at
 * most `maxOutstanding` in flight: beyond it a request is counted as not sent). `sending` resolves
 * when the last one is sent; `settled` once every request sent has its outcome.
 */
export function openLoop(url: string, images: Uint8Array[], rate: number, seconds: number, maxOutstanding: number) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: maxOutstanding })
  const outcomes: Outcome[] = []
  const pending = new Set<Promise<void>>()
  let notSent = 0
  const t0 = performance.now()
  const sending = (async () => {
    for (let i = 0; i < rate * seconds; i++) {
      const wait = t0 + (i * 1000) / rate - performance.now()
      if (wait > 1) await new Promise((r) => setTimeout(r, wait))
      if (pending.size >= maxOutstanding) {
        notSent++
        continue
      }
      const atMs = performance.now() - t0
      const p: Promise<void> = post(url, images[i % images.length]!, agent).then((o) => {
        outcomes.push({ ...o, atMs })
        pending.delete(p)
      })
      pending.add(p)
    }
    return (performance.now() - t0) / 1000
  })()
  const settled = sending.then(async (sendSeconds) => {
    while (pending.size) await Promise.all(pending)
    agent.destroy()
    return { outcomes, notSent, sendSeconds }
  })
  return { sending, settled }
}

/** Calls `fn` every `everyMs` until stopped. */
export function every(everyMs: number, fn: () => Promise<void> | void) {
  let on = true
  const loop = (async () => {
    while (on) {
      await fn()
      await new Promise((r) => setTimeout(r, everyMs))
    }
  })()
  return async () => {
    on = false
    await loop
  }
}

/** The kernel's count of connections dropped because an accept queue was full (Linux, host-wide), or null. */
export function listenOverflows(): number | null {
  try {
    const [names, values] = readFileSync('/proc/net/netstat', 'utf8').split('\n').filter((l) => l.startsWith('TcpExt:'))
    const i = names!.split(' ').indexOf('ListenOverflows')
    return i > 0 ? Number(values!.split(' ')[i]) : null
  } catch {
    return null
  }
}

/** Resident memory of a process, MiB (Linux). */
export function rssMiB(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
  return m ? Number(m[1]) / 1024 : Number.NaN
}

/** Nearest-rank quantile of unsorted samples. */
export function quantile(samples: number[], q: number): number {
  if (samples.length === 0) return Number.NaN
  const s = [...samples].sort((a, b) => a - b)
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))]!
}
