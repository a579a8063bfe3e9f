/**
 * A backup's manifest.json: what it holds (every file with its size and sha256), which schema
 * and xrayops wrote it, when and where. It is written last, so a folder without one is not a
 * complete backup.
 */
import fs from 'node:fs'
import path from 'node:path'
import { XrayError } from '../errors/index.ts'

export const BACKUP_FORMAT = 'xrayops-backup/1'
export const MANIFEST = 'manifest.json'
/** The state folder's copy inside a backup, and the config file's. */
export const STATE_PART = 'state'
export const CONFIG_PART = 'config'
export const DB_FILE = `${STATE_PART}/xrayops.db`

export interface BackupFile {
  /** Relative to the backup folder, `/`-separated: state/xrayops.db, state/models/<sha256>.onnx... */
  path: string
  bytes: number
  sha256: string
}

export interface BackupManifest {
  format: typeof BACKUP_FORMAT
  created_at: string
  host: string
  xrayops_version: string
  /** The database's schema version (PRAGMA user_version). */
  schema_version: number
  state_dir: string
  /** The config file in use when the backup was made, and where its copy is. */
  config: { source: string; path: string } | null
  /** Rows in the copied database. */
  contents: { models: number; audit: number; feedback: number; events: number }
  files: BackupFile[]
}

const invalid = (dir: string, why: string) => new XrayError('BACKUP_INVALID', `${dir} is not a usable backup: ${why}`, { details: { backup: dir } })

/** A relative path that stays inside the backup folder. */
const safe = (p: unknown): p is string => typeof p === 'string' && p.length > 0 && !path.isAbsolute(p) && !p.split('/').some((s) => s === '..' || s === '' || s === '.')

/** Reads and checks the manifest of the backup in `dir` (BACKUP_INVALID when missing, truncated or malformed). */
export function readManifest(dir: string): BackupManifest {
  let text: string
  try {
    text = fs.readFileSync(path.join(dir, MANIFEST), 'utf8')
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw invalid(dir, `it has no ${MANIFEST} (an incomplete backup, or not a backup)`)
    throw invalid(dir, `${MANIFEST} cannot be read: ${(e as Error).message}`)
  }
  let m: BackupManifest
  try {
    m = JSON.parse(text) as BackupManifest
  } catch (e) {
    throw invalid(dir, `${MANIFEST} is not valid JSON (truncated or edited): ${(e as Error).message}`)
  }
  if (m?.format !== BACKUP_FORMAT) throw invalid(dir, `${MANIFEST} is not an xrayops backup manifest (format ${JSON.stringify(m?.format)}, expected ${BACKUP_FORMAT})`)
  if (!Number.isInteger(m.schema_version) || !Array.isArray(m.files)) throw invalid(dir, `${MANIFEST} lacks schema_version or files`)
  for (const f of m.files)
    if (!safe(f?.path) || !Number.isInteger(f.bytes) || typeof f.sha256 !== 'string' || !/^[0-9a-f]{64}$/.test(f.sha256))
      throw invalid(dir, `${MANIFEST} has a malformed file entry: ${JSON.stringify(f)}`)
  if (!m.files.some((f) => f.path === DB_FILE)) throw invalid(dir, `${MANIFEST} lists no ${DB_FILE}`)
  return m
}

export { invalid as invalidBackup }
