/**
 * Schema versions. The database's `PRAGMA user_version` is the number of migrations applied;
 * each migration runs in the same IMMEDIATE transaction as the version bump, so a crash leaves
 * the schema at one version or the next. A database from a newer xrayops (a version this build
 * does not know) is refused, never touched.
 */
import { XrayError } from '../errors/index.ts'
import type { Db } from './sqlite.ts'

export interface Migration {
  /** 1, 2, 3... in list order. */
  version: number
  name: string
  up: (db: Db) => void
}

export const schemaVersion = (db: Db): number => Number(db.pragma('user_version'))

export function migrate(db: Db, migrations: readonly Migration[], file = 'the state database'): { from: number; to: number } {
  migrations.forEach((m, i) => {
    if (m.version !== i + 1) throw new Error(`migration ${m.name} has version ${m.version}, expected ${i + 1}`)
  })
  const latest = migrations.length
  const check = (v: number) => {
    if (v > latest)
      throw new XrayError('STATE_TOO_NEW', `${file} has schema version ${v}, newer than this xrayops knows (${latest}): run a newer xrayops, or restore a backup made by this one`, {
        details: { schemaVersion: v, supported: latest },
      })
  }
  const from = schemaVersion(db)
  check(from)
  if (from === latest) return { from, to: from }
  db.transaction(() => {
    // Another process may have migrated between the read above and this write lock.
    const current = schemaVersion(db)
    check(current)
    db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)')
    const record = db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)')
    for (const m of migrations.slice(current)) {
      m.up(db)
      record.run(m.version, m.name, new Date().toISOString())
      db.exec(`PRAGMA user_version = ${m.version}`)
    }
  })
  return { from, to: latest }
}
