/**
 * The first half of a restore: every check, on a copy. The backup's state files are copied into
 * a staging folder inside the state folder (same file system, so the swap is renames), each
 * copy's sha256 and size compared with the manifest as it is written, the config copy hashed in
 * place, and the staged database checked (PRAGMA integrity_check, a schema this build knows).
 * Any problem removes the staging folder and refuses the backup, naming every problem; the
 * state folder is not touched.
 */
import fs from 'node:fs'
import path from 'node:path'
import { removeAbandonedTemps } from '../state/durable.ts'
import { migrations } from '../state/migrations/index.ts'
import { finishSwap } from '../state/swap.ts'
import { inspectDatabase, type DatabaseFacts } from './database.ts'
import { copyHashed, type FileDigest, hashFile, syncTree } from './files.ts'
import { stampOf } from './locate.ts'
import { type BackupManifest, DB_FILE, invalidBackup, readManifest, STATE_PART } from './manifest.ts'

export interface Staged {
  backup: string
  manifest: BackupManifest
  /** `<state>/.restore-*`: its `new/` holds the checked copy. */
  staging: string
  facts: DatabaseFacts
}

const STAGING = /^\.restore-.+-(\d+)$/

/** Removes staging folders (and journal temp files) of restores that died before their commit point. */
export function removeAbandonedStaging(stateDir: string): void {
  removeAbandonedTemps(stateDir)
  let names: string[] = []
  try {
    names = fs.readdirSync(stateDir)
  } catch {}
  for (const n of names) {
    const m = STAGING.exec(n)
    if (!m || Number(m[1]) === process.pid) continue
    try {
      process.kill(Number(m[1]), 0)
    } catch {
      fs.rmSync(path.join(stateDir, n), { recursive: true, force: true })
    }
  }
}

const differs = (f: { path: string; bytes: number; sha256: string }, d: FileDigest) =>
  d.sha256 === f.sha256 && d.bytes === f.bytes ? null : `${f.path} has changed: ${d.bytes} bytes, sha256 ${d.sha256.slice(0, 16)}..., the manifest says ${f.bytes} bytes, ${f.sha256.slice(0, 16)}...`

export async function stageRestore(backup: string, stateDir: string): Promise<Staged> {
  let manifest: BackupManifest
  try {
    manifest = readManifest(backup)
  } catch (e) {
    throw invalidBackup(backup, `${(e as Error).message.replace(/^.* is not a usable backup: /, '')}; nothing was restored`)
  }
  const supported = migrations.length
  if (manifest.schema_version > supported)
    throw invalidBackup(backup, `it was made by xrayops ${manifest.xrayops_version} with schema version ${manifest.schema_version}, newer than this xrayops knows (${supported}): restore it with that version or newer; nothing was restored`)
  finishSwap(stateDir) // a restore killed after its commit point is finished first, never undone
  removeAbandonedStaging(stateDir)
  const staging = path.join(stateDir, `.restore-${stampOf(new Date())}-${process.pid}`)
  fs.mkdirSync(path.join(staging, 'new'), { recursive: true, mode: 0o700 })
  try {
    const problems: string[] = []
    for (const f of manifest.files) {
      const src = path.join(backup, f.path)
      if (!fs.existsSync(src)) {
        problems.push(`${f.path} is missing`)
        continue
      }
      try {
        const inState = f.path.startsWith(`${STATE_PART}/`)
        const mode = f.path.startsWith(`${STATE_PART}/models/`) ? 0o444 : 0o600
        const d = inState ? await copyHashed(src, path.join(staging, 'new', f.path.slice(STATE_PART.length + 1)), mode) : await hashFile(src)
        const why = differs(f, d)
        if (why) problems.push(why)
        const sha = /^([0-9a-f]{64})\.onnx$/.exec(path.basename(f.path))?.[1]
        if (!why && sha && sha !== d.sha256) problems.push(`${f.path} does not match its name`)
      } catch (e) {
        problems.push(`${f.path} cannot be read: ${(e as Error).message}`)
      }
    }
    let facts: DatabaseFacts = { integrity: ['not checked'], schemaVersion: -1, contents: manifest.contents }
    const db = path.join(staging, 'new', DB_FILE.slice(STATE_PART.length + 1))
    if (fs.existsSync(db) && !problems.some((p) => p.startsWith(DB_FILE)))
      try {
        facts = await inspectDatabase(db)
        if (facts.integrity.join() !== 'ok') problems.push(`${DB_FILE} fails PRAGMA integrity_check: ${facts.integrity.slice(0, 5).join('; ')}`)
        else if (facts.schemaVersion !== manifest.schema_version) problems.push(`${DB_FILE} has schema version ${facts.schemaVersion}, the manifest says ${manifest.schema_version}`)
      } catch (e) {
        problems.push(`${DB_FILE} cannot be opened as a database: ${(e as Error).message}`)
      }
    if (problems.length) throw invalidBackup(backup, `${problems.length} problem(s), nothing was restored:\n  ${problems.join('\n  ')}`)
    syncTree(staging)
    return { backup, manifest, staging, facts }
  } catch (e) {
    fs.rmSync(staging, { recursive: true, force: true })
    throw e
  }
}
