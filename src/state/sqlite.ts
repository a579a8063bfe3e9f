/**
 * The state database connection: synchronous (a transaction is one uninterrupted block of code),
 * in WAL mode so the CLI and the servers read while one writes, with synchronous=FULL so a
 * commit is on disk before it returns, and a busy timeout so concurrent writers wait for each
 * other instead of failing. The driver is node:sqlite or better-sqlite3 (sqlite-drivers.ts).
 */
import { XrayError } from '../errors/index.ts'
import { connect, type Connection, type Row, type SqlValue, type Statement } from './sqlite-drivers.ts'

export type { Row, SqlValue, Statement }

/** How long a writer waits for another one to commit before giving up. */
export const BUSY_TIMEOUT_MS = 15_000

export class Db {
  constructor(private readonly conn: Connection) {}

  get driver() {
    return this.conn.driver
  }

  prepare(sql: string): Statement {
    return this.conn.prepare(sql)
  }

  exec(sql: string): void {
    this.conn.exec(sql)
  }

  /** Reads `PRAGMA <name>`: the first column of its first row. Setting one: exec('PRAGMA x = y'). */
  pragma(name: string): unknown {
    const row = this.conn.prepare(`PRAGMA ${name}`).get()
    return row ? Object.values(row)[0] : undefined
  }

  /**
   * Runs `fn` in a transaction that takes the write lock at once (BEGIN IMMEDIATE: two writers
   * wait for each other instead of one failing on upgrade); a nested call is a savepoint. Commits
   * when `fn` returns, rolls back when it throws. `fn` must be synchronous.
   */
  transaction<T>(fn: () => T): T {
    const nested = this.conn.inTransaction
    this.conn.exec(nested ? 'SAVEPOINT nested' : 'BEGIN IMMEDIATE')
    try {
      const result = fn()
      if (result instanceof Promise) throw new Error('a state transaction must be synchronous')
      this.conn.exec(nested ? 'RELEASE nested' : 'COMMIT')
      return result
    } catch (e) {
      if (nested) this.conn.exec('ROLLBACK TO nested; RELEASE nested')
      else if (this.conn.inTransaction) this.conn.exec('ROLLBACK')
      throw e
    }
  }

  /** An online backup of the database into `file` (see Connection.backup). */
  backup(file: string): Promise<void> {
    return this.conn.backup(file)
  }

  close(): void {
    this.conn.close()
  }
}

export async function openSqlite(file: string, busyTimeoutMs = BUSY_TIMEOUT_MS): Promise<Db> {
  let conn: Connection | undefined
  try {
    conn = await connect(file, busyTimeoutMs)
    const db = new Db(conn)
    db.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON')
    // WAL needs shared memory between processes: a network file system cannot give it.
    const mode = db.pragma('journal_mode')
    if (mode !== 'wal') throw new Error(`WAL mode is not available here (journal_mode stays ${String(mode)}): keep the state directory on a local file system`)
    return db
  } catch (cause) {
    conn?.close()
    throw new XrayError('STATE_ERROR', `cannot open the state database ${file}: ${(cause as Error).message}`, { cause })
  }
}
