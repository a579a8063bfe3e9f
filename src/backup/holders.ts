/**
 * Who uses a state folder: the services xrayops' process supervisor started for it (pid files
 * under <state>/run), and any process with its database open (found through /proc/<pid>/fd, so a
 * server started by hand or by systemd counts too). A restore refuses while there are any.
 */
import fs from 'node:fs'
import path from 'node:path'
import { stillRunning } from '../deploy/process-info.ts'
import { ProcessRunner } from '../deploy/process-runner.ts'
import type { ServiceName } from '../deploy/runner.ts'
import { statePaths } from '../state/dir.ts'

export interface Holder {
  pid: number
  /** Its command line, shortened. */
  command: string
  /** Why it counts: `pid file <name>`, or `has xrayops.db open`. */
  why: string
}

const commandOf = (pid: number): string => {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean).join(' ').slice(0, 200)
  } catch {
    return '?'
  }
}

/** Services with a pid file in <state>/run that still run: `gateway`, `model@blue`... */
export function supervisedServices(stateDir: string): { name: ServiceName; pid: number }[] {
  const run = path.join(stateDir, 'run')
  const out: { name: ServiceName; pid: number }[] = []
  for (const f of fs.existsSync(run) ? fs.readdirSync(run) : []) {
    if (!f.endsWith('.pid')) continue
    try {
      const p = JSON.parse(fs.readFileSync(path.join(run, f), 'utf8')) as { pid: number; started: string }
      const base = f.slice(0, -'.pid'.length)
      const name = (base === 'gateway' ? 'gateway' : base.replace(/^model-/, 'model@')) as ServiceName
      if (stillRunning(p.pid, p.started)) out.push({ name, pid: p.pid })
    } catch {}
  }
  return out
}

/**
 * Processes other than this one with the state database (or its WAL) open. An open file is
 * matched by device and inode, so a process in another mount namespace (a systemd unit with
 * ProtectSystem=, whose links in /proc may name another path) counts too; by name when the
 * file it holds was deleted (a database a restore has replaced).
 */
export function databaseHolders(stateDir: string): Holder[] {
  const db = fs.existsSync(statePaths(stateDir).db) ? fs.realpathSync(statePaths(stateDir).db) : path.resolve(statePaths(stateDir).db)
  const files = [db, `${db}-wal`, `${db}-shm`]
  const names = new Set(files)
  const inodes = new Set<string>()
  for (const f of files)
    try {
      const st = fs.statSync(f)
      inodes.add(`${st.dev}:${st.ino}`)
    } catch {}
  const base = path.basename(db)
  const out: Holder[] = []
  for (const entry of fs.readdirSync('/proc')) {
    const pid = Number(entry)
    if (!Number.isInteger(pid) || pid === process.pid) continue
    let fds: string[] = []
    try {
      fds = fs.readdirSync(`/proc/${pid}/fd`)
    } catch {
      continue // gone, or another user's process we may not look into
    }
    for (const fd of fds) {
      let target = ''
      try {
        target = fs.readlinkSync(`/proc/${pid}/fd/${fd}`)
      } catch {
        continue
      }
      if (!target.includes(base)) continue
      let held = names.has(target.replace(/ \(deleted\)$/, ''))
      try {
        const st = fs.statSync(`/proc/${pid}/fd/${fd}`)
        held ||= inodes.has(`${st.dev}:${st.ino}`)
      } catch {}
      if (held) {
        out.push({ pid, command: commandOf(pid), why: `has ${path.basename(target)} open` })
        break
      }
    }
  }
  return out
}

/** Everything that uses the state folder now. */
export function stateUsers(stateDir: string): Holder[] {
  const byPid = new Map<number, Holder>()
  for (const s of supervisedServices(stateDir)) byPid.set(s.pid, { pid: s.pid, command: commandOf(s.pid), why: `the ${s.name} service (pid file in ${path.join(stateDir, 'run')})` })
  for (const h of databaseHolders(stateDir)) if (!byPid.has(h.pid)) byPid.set(h.pid, h)
  return [...byPid.values()]
}

/**
 * Stops the supervised services by their pid files alone (SIGTERM, then SIGKILL after the drain
 * time): for a state folder whose database cannot be opened, so the release commands cannot run.
 */
export async function stopSupervised(stateDir: string, stopTimeoutMs: number): Promise<ServiceName[]> {
  const runner = new ProcessRunner({
    stateDir,
    stopTimeoutMs,
    spec: () => {
      throw new Error('only stopping')
    },
  })
  const services = supervisedServices(stateDir).sort((a, b) => Number(b.name === 'gateway') - Number(a.name === 'gateway'))
  for (const s of services) await runner.stop(s.name)
  return services.map((s) => s.name)
}
