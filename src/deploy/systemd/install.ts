import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { XrayError } from '../../errors/index.ts'
import { systemdBooted } from '../systemctl.ts'
import { type GeneratedFile, SYSUSERS_FILE } from './files.ts'

export interface InstallResult {
  written: string[]
  /** Files left as they were (environment files and config already there). */
  kept: string[]
  /** Commands run (systemd-sysusers, systemctl daemon-reload); empty without systemd. */
  ran: string[]
  /** Why the commands were not run, when they were not. */
  skipped?: string
}

/** Writes a file atomically: a temporary name in the same folder, fsync, rename. */
function writeAtomic(file: string, content: string, mode: number) {
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o755 })
  const tmp = `${file}.tmp-${process.pid}`
  const fd = fs.openSync(tmp, 'w', mode)
  try {
    fs.writeSync(fd, content)
    fs.fsyncSync(fd)
  } finally {
    fs.closeSync(fd)
  }
  fs.chmodSync(tmp, mode)
  fs.renameSync(tmp, file)
}

/**
 * Writes the files below `root` (`/` on the host itself), then, when that is this host's root and
 * systemd runs it, creates the user and reloads systemd.
 */
export function installFiles(files: GeneratedFile[], opts: { root?: string; runDir?: string } = {}): InstallResult {
  const root = path.resolve(opts.root ?? '/')
  const result: InstallResult = { written: [], kept: [], ran: [] }
  for (const f of files) {
    const target = path.join(root, f.path)
    if (f.keepExisting && fs.existsSync(target)) result.kept.push(target)
    else {
      writeAtomic(target, f.content, f.mode)
      result.written.push(target)
    }
  }
  if (root !== '/') result.skipped = `files were written below ${root}, not onto this host's /`
  else if (!systemdBooted(opts.runDir)) result.skipped = 'systemd is not running on this host (no /run/systemd/system)'
  else
    for (const cmd of [['systemd-sysusers', SYSUSERS_FILE], ['systemctl', 'daemon-reload']]) {
      try {
        execFileSync(cmd[0], cmd.slice(1), { stdio: ['ignore', 'ignore', 'pipe'], timeout: 60_000 })
      } catch (e) {
        const err = e as Error & { stderr?: Buffer }
        throw new XrayError('SERVICE_FAILED', `${cmd.join(' ')} failed: ${err.stderr?.toString().trim() || err.message}`, { cause: e })
      }
      result.ran.push(cmd.join(' '))
    }
  return result
}
