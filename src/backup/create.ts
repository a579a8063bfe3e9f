/**
 * `xrayops backup`: an online copy of the state folder while the servers keep writing. The
 * database is copied with SQLite's backup API (a consistent snapshot, WAL included), then the
 * model store (each model file checked against its sha256 name), the tokens file and the config
 * file in use; a manifest lists every file with its size and sha256. Everything is written into
 * a `.partial-*` folder, synced, and renamed to its final name once complete, so a backup that
 * was interrupted never looks like one. Then old backups beyond `keep` are removed.
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import pkg from '../../package.json' with { type: 'json' }
import { XrayError } from '../errors/index.ts'
import { openState } from '../state/db.ts'
import { statePaths } from '../state/dir.ts'
import { fsyncDir, writeFileDurable } from '../state/durable.ts'
import { inspectDatabase } from './database.ts'
import { copyHashed, type FileDigest, hashFile, syncFile, syncTree, walk } from './files.ts'
import { freeName, pruneBackups } from './locate.ts'
import { BACKUP_FORMAT, type BackupFile, type BackupManifest, CONFIG_PART, DB_FILE, MANIFEST, STATE_PART } from './manifest.ts'

export interface BackupOptions {
  stateDir: string
  /** The folder that receives the backup's own folder. */
  backupDir: string
  /** The config file in use, copied too. */
  configFile?: string
  /** Complete backups kept after this one (0: all). */
  keep: number
  now?: Date
}

export interface BackupResult {
  dir: string
  manifest: BackupManifest
  bytes: number
  pruned: string[]
}

const TEMP = /^\..+\.tmp$/
const ONNX = /^([0-9a-f]{64})\.onnx$/

export async function createBackup(o: BackupOptions): Promise<BackupResult> {
  const paths = statePaths(o.stateDir)
  if (!fs.existsSync(paths.db)) throw new XrayError('BACKUP_FAILED', `nothing to back up: ${o.stateDir} has no state database (${path.basename(paths.db)})`)
  const now = o.now ?? new Date()
  fs.mkdirSync(o.backupDir, { recursive: true, mode: 0o700 })
  const name = freeName(o.backupDir, now)
  const work = path.join(o.backupDir, `.partial-${name}-${process.pid}`)
  fs.mkdirSync(path.join(work, STATE_PART), { recursive: true, mode: 0o700 })
  try {
    const files: BackupFile[] = []
    const add = (rel: string, d: FileDigest) => files.push({ path: rel, ...d })
    // 1. The database, online: one backup step under one read transaction.
    const state = await openState(o.stateDir)
    try {
      await state.db.backup(path.join(work, DB_FILE))
    } finally {
      state.close()
    }
    const facts = await inspectDatabase(path.join(work, DB_FILE), { selfContained: true })
    if (facts.integrity.join() !== 'ok') throw new XrayError('BACKUP_FAILED', `the copy of the database fails its integrity check: ${facts.integrity.join('; ')}`)
    syncFile(path.join(work, DB_FILE))
    add(DB_FILE, await hashFile(path.join(work, DB_FILE)))
    // 2. The model store: models, manifests, drift profiles, warm-up images.
    for (const rel of walk(paths.models, (n) => TEMP.test(n))) {
      const d = await copyHashed(path.join(paths.models, rel), path.join(work, STATE_PART, 'models', rel), 0o444)
      const m = ONNX.exec(path.basename(rel))
      if (m && m[1] !== d.sha256)
        throw new XrayError('BACKUP_FAILED', `the model store is damaged: ${path.join(paths.models, rel)} does not match its name (its sha256 is ${d.sha256}); restore it from an earlier backup (xrayops restore) before backing up`)
      add(`${STATE_PART}/models/${rel}`, d)
    }
    // 3. The tokens file and the config file in use.
    if (fs.existsSync(paths.tokens)) add(`${STATE_PART}/tokens.json`, await copyHashed(paths.tokens, path.join(work, STATE_PART, 'tokens.json')))
    let config: BackupManifest['config'] = null
    if (o.configFile) {
      const rel = `${CONFIG_PART}/${path.basename(o.configFile)}`
      add(rel, await copyHashed(o.configFile, path.join(work, rel)))
      config = { source: path.resolve(o.configFile), path: rel }
    }
    const manifest: BackupManifest = {
      format: BACKUP_FORMAT,
      created_at: now.toISOString(),
      host: os.hostname(),
      xrayops_version: pkg.version,
      schema_version: facts.schemaVersion,
      state_dir: path.resolve(o.stateDir),
      config,
      contents: facts.contents,
      files,
    }
    // 4. Complete: sync everything, write the manifest last, then take the final name.
    syncTree(work)
    writeFileDurable(path.join(work, MANIFEST), `${JSON.stringify(manifest, null, 2)}\n`, 0o600)
    const dir = path.join(o.backupDir, name)
    fs.renameSync(work, dir)
    fsyncDir(o.backupDir)
    const pruned = pruneBackups(o.backupDir, o.keep, dir)
    return { dir, manifest, bytes: files.reduce((s, f) => s + f.bytes, 0), pruned }
  } catch (e) {
    fs.rmSync(work, { recursive: true, force: true })
    throw e
  }
}
