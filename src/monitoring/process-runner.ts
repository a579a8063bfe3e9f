/**
 * Services as background processes, where systemd does not run: each started detached (its own
 * session, so it outlives the CLI), output appended to its log file, pid in its pid file. A pid
 * counts as ours only while /proc/<pid>/cmdline still names our config file, so a stale pid
 * file never makes `down` signal some other process that reused the number.
 */
import { spawn } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import type { Runner, ServiceSpec } from './service.ts'

const readPid = (file: string): number | null => {
  try {
    const pid = Number(fs.readFileSync(file, 'utf8').trim())
    return Number.isInteger(pid) && pid > 1 ? pid : null
  } catch {
    return null
  }
}

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0)
    return true
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/** The process's arguments, or null once it is gone (or is a zombie, whose cmdline is empty). */
const cmdline = (pid: number): string[] | null => {
  try {
    const raw = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8')
    return raw ? raw.split('\0').filter(Boolean) : null
  } catch {
    return null
  }
}

const isOurs = (pid: number, s: ServiceSpec) => cmdline(pid)?.some((a) => a.endsWith(`=${s.config}`) || a === s.config) ?? false

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

async function waitGone(pid: number, ms: number): Promise<boolean> {
  const end = Date.now() + ms
  while (Date.now() < end) {
    if (!alive(pid) || !cmdline(pid)) return true
    await sleep(50)
  }
  return false
}

export const processRunner = (): Runner => {
  const running = async (s: ServiceSpec) => {
    const pid = readPid(s.pidFile)
    return pid !== null && isOurs(pid, s) ? pid : null
  }
  return {
    kind: 'process',
    running,
    async start(s) {
      const pid = await running(s)
      if (pid !== null) {
        process.kill(pid, 'SIGHUP') // Prometheus and Alertmanager re-read their files on SIGHUP
        return { pid, reloaded: true }
      }
      for (const d of [path.dirname(s.pidFile), path.dirname(s.logFile), ...s.writable]) fs.mkdirSync(d, { recursive: true })
      const log = fs.openSync(s.logFile, 'a')
      try {
        fs.writeSync(log, `--- ${new Date().toISOString()} xrayops monitoring up: ${s.command} ${s.args.join(' ')}\n`)
        const child = spawn(s.command, s.args, { detached: true, stdio: ['ignore', log, log], cwd: path.dirname(s.config) })
        await new Promise<void>((resolve, reject) => {
          child.once('spawn', resolve)
          child.once('error', reject)
        })
        child.unref()
        fs.writeFileSync(s.pidFile, `${child.pid}\n`)
        return { pid: child.pid!, reloaded: false }
      } finally {
        fs.closeSync(log)
      }
    },
    async stop(s) {
      const pid = await running(s)
      fs.rmSync(s.pidFile, { force: true })
      if (pid === null) return false
      process.kill(pid, 'SIGTERM')
      if (!(await waitGone(pid, 15_000))) {
        process.kill(pid, 'SIGKILL')
        await waitGone(pid, 5_000)
      }
      return true
    },
  }
}
