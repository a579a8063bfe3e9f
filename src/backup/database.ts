/** Looking at a database file of a backup: integrity, schema version, what it holds. */
import { connect } from '../state/sqlite-drivers.ts'

export interface DatabaseFacts {
  /** `ok`, or what PRAGMA integrity_check found. */
  integrity: string[]
  schemaVersion: number
  contents: { models: number; audit: number; feedback: number; events: number }
}

/**
 * Opens `file` on its own (no other connection may use it), optionally turns it into a
 * self-contained rollback-journal database (the backup's copy needs no -wal file beside it),
 * and reads its integrity, schema version and row counts. Throws when it is not a database.
 */
export async function inspectDatabase(file: string, o: { selfContained?: boolean } = {}): Promise<DatabaseFacts> {
  const conn = await connect(file, 5_000)
  try {
    if (o.selfContained) conn.exec('PRAGMA journal_mode = DELETE')
    const integrity = conn
      .prepare('PRAGMA integrity_check(20)')
      .all<Record<string, unknown>>()
      .map((r) => String(Object.values(r)[0]))
    const schemaVersion = Number(Object.values(conn.prepare('PRAGMA user_version').get<Record<string, unknown>>() ?? {})[0] ?? 0)
    const tables = new Set(conn.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all<{ name: string }>().map((r) => r.name))
    const count = (t: string) => (tables.has(t) ? Number(conn.prepare(`SELECT count(*) AS n FROM ${t}`).get<{ n: number }>()!.n) : 0)
    const ok = integrity.length === 1 && integrity[0] === 'ok'
    return { integrity, schemaVersion, contents: ok ? { models: count('models'), audit: count('audit'), feedback: count('feedback'), events: count('events') } : { models: 0, audit: 0, feedback: 0, events: 0 } }
  } finally {
    conn.close()
  }
}
