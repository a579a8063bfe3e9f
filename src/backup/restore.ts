/**
 * The second half of a restore, after stageRestore has checked everything: the swap (committed
 * by a journal file, finished by any later open of the state if this process dies: swap.ts),
 * then the restored database opened (migrated when the backup's schema is older), the restore
 * recorded in its history, and optionally the config file put back where it was.
 */
import { createHash } from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import { XrayError } from '../errors/index.ts'
import { openState } from '../state/db.ts'
import { writeFileDurable } from '../state/durable.ts'
import { appendEvent } from '../state/events.ts'
import { commitSwap } from '../state/swap.ts'
import type { DatabaseFacts } from './database.ts'
import type { Staged } from './stage.ts'
import { stateUsers } from './holders.ts'

export interface RestoreResult {
  backup: string
  created_at: string
  host: string
  contents: DatabaseFacts['contents']
  schema: { backup: number; now: number }
  config: { restored: boolean; to: string | null }
}

export async function commitRestore(staged: Staged, o: { stateDir: string; actor: string; withConfig?: boolean }): Promise<RestoreResult> {
  const users = stateUsers(o.stateDir)
  if (users.length) {
    fs.rmSync(staged.staging, { recursive: true, force: true })
    throw new XrayError('SERVICES_RUNNING', `the state folder is in use: ${users.map((u) => `pid ${u.pid} (${u.why}: ${u.command})`).join('; ')}`)
  }
  const m = staged.manifest
  let configBytes: Buffer | undefined
  if (o.withConfig) {
    if (!m.config) throw new XrayError('BACKUP_INVALID', `${staged.backup} holds no config file (none was in use when it was made)`)
    configBytes = fs.readFileSync(path.join(staged.backup, m.config.path))
    const want = m.files.find((f) => f.path === m.config!.path)?.sha256
    if (createHash('sha256').update(configBytes).digest('hex') !== want) throw new XrayError('BACKUP_INVALID', `${m.config.path} in ${staged.backup} changed after it was checked`)
  }
  // Run as root on a service's state folder (systemd), the restored files stay the service user's.
  if (process.getuid?.() === 0) ownLike(staged.staging, fs.statSync(o.stateDir))
  commitSwap(o.stateDir, staged.staging, staged.backup)
  if (configBytes && m.config) writeFileDurable(m.config.source, configBytes, 0o644)
  const state = await openState(o.stateDir)
  try {
    const now = Number(state.db.pragma('user_version'))
    appendEvent(state.db, {
      actor: o.actor,
      action: 'state.restore',
      subject: path.basename(staged.backup),
      details: { backup: staged.backup, created_at: m.created_at, host: m.host, contents: staged.facts.contents, schema: m.schema_version, config: Boolean(configBytes) },
    })
    return {
      backup: staged.backup,
      created_at: m.created_at,
      host: m.host,
      contents: staged.facts.contents,
      schema: { backup: m.schema_version, now },
      config: { restored: Boolean(configBytes), to: m.config?.source ?? null },
    }
  } finally {
    state.close()
  }
}

/** Gives every file below `dir` the owner and group of `like`. */
function ownLike(dir: string, like: fs.Stats): void {
  fs.lchownSync(dir, like.uid, like.gid)
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name)
    if (e.isDirectory()) ownLike(p, like)
    else fs.lchownSync(p, like.uid, like.gid)
  }
}
