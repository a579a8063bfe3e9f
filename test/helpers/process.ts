import { spawn, type ChildProcess } from 'node:child_process'
import { createServer } from 'node:net'
import { fileURLToPath } from 'node:url'

export const bin = fileURLToPath(new URL('../../bin/xrayops.mjs', import.meta.url))

export const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const s = createServer()
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number }
      s.close(() => resolve(port))
    })
    s.once('error', reject)
  })

export interface Spawned {
  child: ChildProcess
  output: () => string
  exited: Promise<number | null>
}

/** Runs `xrayops ARGS` as a child process, collecting its output. */
export function spawnXrayops(args: string[], env: Record<string, string> = {}): Spawned {
  const child = spawn(process.execPath, [bin, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] })
  let out = ''
  child.stdout!.on('data', (d) => (out += d))
  child.stderr!.on('data', (d) => (out += d))
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)))
  return { child, output: () => out, exited }
}

/** Polls `url` until it answers 200, or fails after `ms`. */
export async function waitFor200(url: string, ms = 60_000): Promise<void> {
  const end = Date.now() + ms
  while (Date.now() < end) {
    const ok = await fetch(url).then((r) => r.status === 200, () => false)
    if (ok) return
    await new Promise((r) => setTimeout(r, 100))
  }
  throw new Error(`${url} did not answer 200 within ${ms} ms`)
}
