/**
 * Log retention (`xrayops logs clean`): which log files are old enough to go. The folders looked
 * at are those xrayops writes logs to: the folder of logging.file, <state>/logs (the services the
 * process supervisor runs) and <state>/monitoring/logs (Prometheus and Alertmanager run by
 * `monitoring up`). Only rotated copies are candidates (`x.log.1`, `x.log.2.gz`, `x.log-20261201`,
 * as logrotate names them): a live log (logging.file itself, any `*.log` there) never is, nor is a
 * file some process has open, nor anything else in those folders.
 */
import fs from 'node:fs'
import path from 'node:path'

export interface LogFile {
  path: string
  bytes: number
  modified: string
  ageMs: number
}

export interface LogScan {
  folders: string[]
  /** Rotated logs older than the cutoff. */
  old: LogFile[]
  /** Rotated logs kept, and why some old ones were not taken. */
  kept: { path: string; why: string }[]
  /** Live logs found (never deleted). */
  live: string[]
}

/** `x.log.1`, `x.log.3.gz`, `x.log-20261201`, `x.log.2026-12-01.gz`: a rotated copy of `x.log`. */
const copyOf = (live: string) => (name: string) => name.length > live.length + 1 && (name.startsWith(`${live}.`) || name.startsWith(`${live}-`))

export interface LogFolder {
  dir: string
  live: (name: string) => boolean
  rotated: (name: string) => boolean
}

/** Files any process (this one included) has open, as `dev:ino` (a process in another mount namespace may name them by another path). */
export function openFiles(): Set<string> {
  const out = new Set<string>()
  for (const pid of fs.readdirSync('/proc').filter((e) => /^\d+$/.test(e))) {
    let fds: string[] = []
    try {
      fds = fs.readdirSync(`/proc/${pid}/fd`)
    } catch {
      continue
    }
    for (const fd of fds)
      try {
        const st = fs.statSync(`/proc/${pid}/fd/${fd}`)
        if (st.isFile()) out.add(`${st.dev}:${st.ino}`)
      } catch {}
  }
  return out
}

/** The log folders of a configuration: logging.file's (with its name) and the state folder's. */
export function logFolders(o: { logFile?: string; stateDir: string }): LogFolder[] {
  const base = o.logFile ? path.basename(o.logFile) : undefined
  const logDir = o.logFile ? path.dirname(path.resolve(o.logFile)) : undefined
  const ofBase = base ? copyOf(base) : () => false
  const stateDirs = [path.join(o.stateDir, 'logs'), path.join(o.stateDir, 'monitoring', 'logs')].map((d) => path.resolve(d))
  const out: LogFolder[] = stateDirs.map((dir) => ({
    dir,
    live: (n) => n.endsWith('.log') || (dir === logDir && n === base),
    rotated: (n) => /\.log[.-]./.test(n) || (dir === logDir && ofBase(n)),
  }))
  if (logDir && !stateDirs.includes(logDir)) out.unshift({ dir: logDir, live: (n) => n === base, rotated: ofBase })
  return out
}

/** Rotated logs in `folders` last modified before `now - olderThanMs`. */
export function scanLogs(folders: LogFolder[], olderThanMs: number, now = Date.now()): LogScan {
  const scan: LogScan = { folders: [], old: [], kept: [], live: [] }
  const open = openFiles()
  for (const { dir, live, rotated } of folders) {
    let names: string[]
    try {
      names = fs.readdirSync(dir).sort()
    } catch {
      continue // no such folder: nothing logged there
    }
    scan.folders.push(dir)
    const lives = names.filter(live)
    scan.live.push(...lives.map((n) => path.join(dir, n)))
    for (const name of names) {
      const file = path.join(dir, name)
      if (live(name) || !rotated(name)) continue
      let st: fs.Stats
      try {
        st = fs.lstatSync(file)
      } catch {
        continue // gone meanwhile
      }
      if (!st.isFile()) continue
      const ageMs = now - st.mtimeMs
      if (open.has(`${st.dev}:${st.ino}`)) scan.kept.push({ path: file, why: 'open by a running process' })
      else if (ageMs < olderThanMs) scan.kept.push({ path: file, why: 'recent' })
      else scan.old.push({ path: file, bytes: st.size, modified: st.mtime.toISOString(), ageMs })
    }
  }
  return scan
}

/** Deletes the files of `old` (a file gone meanwhile counts as deleted); failures are returned, not thrown. */
export function deleteLogs(old: LogFile[]): { deleted: LogFile[]; failed: { path: string; why: string }[] } {
  const deleted: LogFile[] = []
  const failed: { path: string; why: string }[] = []
  for (const f of old) {
    try {
      fs.unlinkSync(f.path)
      deleted.push(f)
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') deleted.push(f)
      else failed.push({ path: f.path, why: (e as Error).message })
    }
  }
  return { deleted, failed }
}
