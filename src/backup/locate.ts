/**
 * The backups folder: one folder per backup named by its UTC time (20261201T112506Z), complete
 * once its manifest is in it; backups being written are `.partial-<name>-<pid>` folders, renamed
 * when complete. `latest` is the newest complete one.
 */
import fs from 'node:fs'
import path from 'node:path'
import { XrayError } from '../errors/index.ts'
import { MANIFEST } from './manifest.ts'

const NAME = /^(\d{8}T\d{6}Z)(?:-(\d+))?$/
const PARTIAL = /^\.partial-.+-(\d+)$/

/** The backups folder a configuration names: backup.dir, else <state>/backups. */
export const backupDirOf = (stateDir: string, configured?: string): string => path.resolve(configured ?? path.join(stateDir, 'backups'))

/** 2026-12-01T11:25:06.150Z -> 20261201T112506Z */
export const stampOf = (d: Date): string => d.toISOString().replace(/\.\d{3}Z$/, 'Z').replace(/[-:]/g, '')

/** `20261201T112506Z` -> its Date (the time the backup was started). */
export function timeOfName(name: string): Date | null {
  const m = NAME.exec(name)
  if (!m) return null
  const s = m[1]!
  return new Date(`${s.slice(0, 4)}-${s.slice(4, 6)}-${s.slice(6, 8)}T${s.slice(9, 11)}:${s.slice(11, 13)}:${s.slice(13, 15)}Z`)
}

export interface BackupEntry {
  name: string
  dir: string
  startedAt: Date
  /** Has a manifest (written last). Whether its files are intact is for verify to say. */
  complete: boolean
}

/** The backups in `backupDir`, newest first. */
export function listBackups(backupDir: string): BackupEntry[] {
  let names: string[] = []
  try {
    names = fs.readdirSync(backupDir)
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e
  }
  return names
    .filter((n) => NAME.test(n))
    .map((name) => {
      const dir = path.join(backupDir, name)
      return { name, dir, startedAt: timeOfName(name)!, complete: fs.existsSync(path.join(dir, MANIFEST)) }
    })
    .sort((a, b) => b.name.localeCompare(a.name, 'en', { numeric: true }))
}

/** A name for a backup started at `at` that is not taken in `backupDir`. */
export function freeName(backupDir: string, at: Date): string {
  const base = stampOf(at)
  for (let i = 1; ; i++) {
    const name = i === 1 ? base : `${base}-${i}`
    if (!fs.existsSync(path.join(backupDir, name))) return name
  }
}

/** `latest` (the newest complete backup in `backupDir`) or a backup folder's path. */
export function resolveBackup(spec: string, backupDir: string): string {
  if (spec === 'latest') {
    const newest = listBackups(backupDir).find((b) => b.complete)
    if (!newest) throw new XrayError('BACKUP_NOT_FOUND', `no complete backup in ${backupDir} (xrayops backup makes one; --backup-dir names another folder)`)
    return newest.dir
  }
  const dir = path.resolve(spec)
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) throw new XrayError('BACKUP_NOT_FOUND', `${dir} is not a folder: give a backup folder (one with ${MANIFEST}) or latest`)
  return dir
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0)
    return true
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/**
 * Retention: removes complete backups beyond the `keep` newest (0 keeps all), never `except`,
 * and partial folders whose writer has died. Returns the removed folders.
 */
export function pruneBackups(backupDir: string, keep: number, except?: string): string[] {
  const removed: string[] = []
  const complete = listBackups(backupDir).filter((b) => b.complete)
  if (keep > 0)
    for (const b of complete.slice(keep)) {
      if (except && path.resolve(b.dir) === path.resolve(except)) continue
      fs.rmSync(b.dir, { recursive: true, force: true })
      removed.push(b.dir)
    }
  let names: string[] = []
  try {
    names = fs.readdirSync(backupDir)
  } catch {}
  for (const n of names) {
    const m = PARTIAL.exec(n)
    if (m && Number(m[1]) !== process.pid && !alive(Number(m[1]))) {
      fs.rmSync(path.join(backupDir, n), { recursive: true, force: true })
      removed.push(path.join(backupDir, n))
    }
  }
  return removed
}
