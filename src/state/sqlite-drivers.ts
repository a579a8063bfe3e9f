/**
 * Two SQLite drivers behind one small synchronous interface: Node's built-in node:sqlite on Node
 * >= 24 (the single executable's runtime), better-sqlite3 below that (a checkout on Node 20).
 * better-sqlite3 12 is not used on Node 24: built against Node >= 24.19's headers its statements
 * abort the process when garbage collected (node::ObjectWrap cleanup hooks, nodejs/node#65446).
 */
import type BetterSqlite3 from 'better-sqlite3'
import type { DatabaseSync } from 'node:sqlite'
import { loadBetterSqlite3 } from '../runtime/native.ts'

export type SqlValue = string | number | bigint | null | Uint8Array
export type Row = Record<string, unknown>

export interface Statement {
  run(...params: SqlValue[]): { changes: number; lastInsertRowid: number }
  /** The first row, as a plain object (typed by the caller, who wrote the SELECT). */
  get<T = Row>(...params: SqlValue[]): T | undefined
  all<T = Row>(...params: SqlValue[]): T[]
}

export interface Connection {
  readonly driver: 'node:sqlite' | 'better-sqlite3'
  prepare(sql: string): Statement
  exec(sql: string): void
  readonly inTransaction: boolean
  /**
   * SQLite's online backup of the main database into `file` (overwritten): a consistent copy,
   * including what is still in the WAL, taken while other connections keep writing. All pages are
   * copied in one step, so another connection's commit cannot restart it.
   */
  backup(file: string): Promise<void>
  close(): void
}

/** Pages per backup step: all of them (one step under one read transaction). */
const ALL_PAGES = 0x7fffffff

// node:sqlite returns rows without a prototype: hand out plain objects from both drivers.
const plain = <T>(r: unknown): T | undefined => (r ? ({ ...(r as Row) } as T) : undefined)

interface RawStatement {
  run(...p: SqlValue[]): { changes: number | bigint; lastInsertRowid: number | bigint }
  get(...p: SqlValue[]): unknown
  all(...p: SqlValue[]): unknown[]
}

const wrapStatement = (s: RawStatement): Statement => ({
  run: (...p) => {
    const r = s.run(...p)
    return { changes: Number(r.changes), lastInsertRowid: Number(r.lastInsertRowid) }
  },
  get: <T>(...p: SqlValue[]) => plain<T>(s.get(...p)),
  all: <T>(...p: SqlValue[]) => s.all(...p).map((r) => plain<T>(r)!),
})

const nodeSqlite = (): typeof import('node:sqlite') | undefined =>
  Number(process.versions.node.split('.')[0]) >= 24 ? (process.getBuiltinModule?.('node:sqlite') as typeof import('node:sqlite') | undefined) : undefined

function wrapNode(db: DatabaseSync): Connection {
  return {
    driver: 'node:sqlite',
    prepare: (sql) => wrapStatement(db.prepare(sql) as RawStatement),
    exec: (sql) => db.exec(sql),
    get inTransaction() {
      return db.isTransaction
    },
    backup: async (file) => {
      await nodeSqlite()!.backup(db, file, { rate: ALL_PAGES })
    },
    close: () => db.close(),
  }
}

function wrapBetter(db: BetterSqlite3.Database): Connection {
  return {
    driver: 'better-sqlite3',
    prepare: (sql) => wrapStatement(db.prepare(sql) as RawStatement),
    exec: (sql) => void db.exec(sql),
    get inTransaction() {
      return db.inTransaction
    },
    backup: async (file) => {
      await db.backup(file, { progress: () => ALL_PAGES })
    },
    close: () => db.close(),
  }
}

/** Opens `file` (created when missing) with a busy timeout, on the driver this Node supports. */
export async function connect(file: string, busyTimeoutMs: number): Promise<Connection> {
  const builtin = nodeSqlite()
  if (builtin) return wrapNode(new builtin.DatabaseSync(file, { timeout: busyTimeoutMs }))
  const Database = await loadBetterSqlite3()
  return wrapBetter(new Database(file, { timeout: busyTimeoutMs }))
}
