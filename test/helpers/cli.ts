import { execFile, spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { bin } from './process.ts'

export interface CliResult {
  code: number
  stdout: string
  stderr: string
}

/** Runs `xrayops ARGS` from the checkout (no TTY: stdin is /dev/null) and collects its output. */
export const xrayops = (args: string[], env: Record<string, string | undefined> = {}): Promise<CliResult> =>
  new Promise((resolve) => {
    const child = execFile(process.execPath, [bin, ...args], { env: { ...process.env, ...env }, maxBuffer: 16 << 20, timeout: 120_000 }, (err, stdout, stderr) =>
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    )
    child.stdin?.end()
  })

const hook = fileURLToPath(new URL('./crash-hook.mjs', import.meta.url))

/**
 * Starts `xrayops ARGS` with XRAYOPS_TEST_PAUSE=`pause` (test/helpers/crash-hook.mjs) and kills it
 * with SIGKILL once it reports the pause. Resolves with its output; rejects when the process ends
 * without pausing.
 */
export function killAtPause(args: string[], pause: string, env: Record<string, string> = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', hook, bin, ...args], { env: { ...process.env, ...env, XRAYOPS_TEST_PAUSE: pause }, stdio: ['ignore', 'pipe', 'pipe'] })
    let out = ''
    let paused = false
    const collect = (d: Buffer) => {
      out += d
      if (!paused && out.includes('PAUSED ')) {
        paused = true
        child.kill('SIGKILL')
      }
    }
    child.stdout.on('data', collect)
    child.stderr.on('data', collect)
    child.once('exit', (code, signal) => (paused && signal === 'SIGKILL' ? resolve(out) : reject(new Error(`exited ${code ?? signal} without pausing at ${pause}:\n${out}`))))
  })
}

/** Starts `xrayops ARGS` and kills it with SIGKILL after `ms` (or lets it finish first). */
export function killAfter(args: string[], ms: number): Promise<{ killed: boolean; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [bin, ...args], { stdio: ['ignore', 'pipe', 'pipe'] })
    let out = ''
    child.stdout.on('data', (d) => (out += d))
    child.stderr.on('data', (d) => (out += d))
    const timer = setTimeout(() => child.kill('SIGKILL'), ms)
    child.once('exit', (_code, signal) => {
      clearTimeout(timer)
      resolve({ killed: signal === 'SIGKILL', out })
    })
  })
}
