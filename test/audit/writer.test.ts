/**
 * The audit writer on a real SQLite file, read back with the sqlite3 shell: batches by size and
 * by time, committed ids reported only after their transaction, and every failure (full queue,
 * full database, a lock held by another writer) counted by reason instead of thrown.
 */
import { expect, it } from 'vitest'
import { AuditWriter, LOCKED_ATTEMPTS, type DropReason } from '../../src/audit/writer.ts'
import { openSqlite } from '../../src/state/sqlite.ts'
import { sql, sqlite3Cli, sqlValue } from '../helpers/sqlite.ts'
import { describeWith } from '../helpers/require.ts'
import { fakeRecord, tempState, until } from './helpers.ts'

const hooks = () => {
  const dropped: Partial<Record<DropReason, number>> = {}
  const committed: string[][] = []
  let depth = 0
  return {
    dropped,
    committed,
    depth: () => depth,
    hooks: { dropped: (r: DropReason, n: number) => (dropped[r] = (dropped[r] ?? 0) + n), depth: (n: number) => (depth = n), committed: (ids: string[]) => committed.push(ids) },
  }
}

describeWith(sqlite3Cli, 'the audit writer', () => {
  it('writes a batch as soon as flush_records are queued, and the rest on its timer', async () => {
    const state = await tempState()
    const h = hooks()
    const w = new AuditWriter(state.db, { flushIntervalMs: 300, flushRecords: 4, queueSize: 100 }, h.hooks)
    for (let i = 0; i < 6; i++) w.push(fakeRecord(`r${i}`))
    expect(h.depth()).toBe(6)
    await new Promise((r) => setImmediate(r))
    // The size trigger wrote everything queued at that moment, in one transaction.
    expect(h.committed).toEqual([['r0', 'r1', 'r2', 'r3', 'r4', 'r5']])
    expect(sqlValue(state.paths.db, 'SELECT count(*) FROM audit')).toBe('6')
    w.push(fakeRecord('r6'))
    await until('the timer flush', () => h.committed.length === 2)
    expect(sql(state.paths.db, 'SELECT id FROM audit ORDER BY seq').map((r) => r[0])).toEqual(['r0', 'r1', 'r2', 'r3', 'r4', 'r5', 'r6'])
    expect(h.depth()).toBe(0)
    w.close()
    state.close()
  })

  it('drops and counts records beyond queue_size; close() writes the queued ones', async () => {
    const state = await tempState()
    const h = hooks()
    const w = new AuditWriter(state.db, { flushIntervalMs: 60_000, flushRecords: 1000, queueSize: 5 }, h.hooks)
    for (let i = 0; i < 8; i++) w.push(fakeRecord(`q${i}`))
    expect(h.dropped).toEqual({ queue_full: 3 })
    expect(w.close()).toBe(5)
    expect(sqlValue(state.paths.db, 'SELECT group_concat(id) FROM (SELECT id FROM audit ORDER BY seq)')).toBe('q0,q1,q2,q3,q4')
    state.close()
  })

  it('a full database (SQLITE_FULL) drops the batch as disk_full, and later writes go through again', async () => {
    const state = await tempState()
    const h = hooks()
    const w = new AuditWriter(state.db, { flushIntervalMs: 60_000, flushRecords: 1000, queueSize: 10_000 }, h.hooks)
    const pages = Number(state.db.pragma('page_count'))
    state.db.exec(`PRAGMA max_page_count = ${pages + 2}`)
    for (let i = 0; i < 200; i++) w.push(fakeRecord(`f${i}`))
    expect(() => w.flush()).not.toThrow()
    expect(h.dropped).toEqual({ disk_full: 200 })
    expect(sqlValue(state.paths.db, 'SELECT count(*) FROM audit')).toBe('0')
    state.db.exec('PRAGMA max_page_count = 1073741823')
    w.push(fakeRecord('after'))
    expect(w.flush()).toBe(1)
    expect(sqlValue(state.paths.db, 'SELECT id FROM audit')).toBe('after')
    w.close()
    state.close()
  })

  it('waits for another writer holding the lock, then writes; a lock held past its retries drops as db_locked', async () => {
    const state = await tempState()
    state.db.exec('PRAGMA busy_timeout = 20')
    const other = await openSqlite(state.paths.db)
    const h = hooks()
    const w = new AuditWriter(state.db, { flushIntervalMs: 60_000, flushRecords: 1000, queueSize: 100 }, h.hooks)
    other.exec('BEGIN IMMEDIATE')
    w.push(fakeRecord('l1'))
    expect(w.flush()).toBe(0) // busy: kept for the next flush
    expect(w.depth).toBe(1)
    other.exec('COMMIT')
    expect(w.flush()).toBe(1)
    other.exec('BEGIN IMMEDIATE')
    w.push(fakeRecord('l2'))
    for (let i = 0; i < LOCKED_ATTEMPTS; i++) w.flush()
    expect(h.dropped).toEqual({ db_locked: 1 })
    other.exec('ROLLBACK')
    other.close()
    expect(sqlValue(state.paths.db, 'SELECT group_concat(id) FROM audit')).toBe('l1')
    w.close()
    state.close()
  })

  it('without a database every record is dropped as unavailable', () => {
    const h = hooks()
    const w = new AuditWriter(undefined, { flushIntervalMs: 50, flushRecords: 1, queueSize: 10 }, h.hooks)
    w.push(fakeRecord('u1'))
    w.push(fakeRecord('u2'))
    expect(h.dropped).toEqual({ unavailable: 2 })
    expect(w.close()).toBe(0)
  })
})

