/**
 * The state database on real SQLite files: created in WAL mode at the current schema version,
 * an older database migrated in place (its rows kept), a newer one refused untouched, a failed
 * migration rolled back whole, and several processes opening a new directory at once. The
 * sqlite3 shell reads the files, independently of the product's driver.
 */
import { createHash } from 'node:crypto'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterEach, beforeEach, expect, it } from 'vitest'
import { openState } from '../../src/state/db.ts'
import { migrate, type Migration } from '../../src/state/migrate.ts'
import { migrations } from '../../src/state/migrations/index.ts'
import { openSqlite } from '../../src/state/sqlite.ts'
import { xrayops } from '../helpers/cli.ts'
import { describeWith } from '../helpers/require.ts'
import { sql, sqlite3Cli, sqlValue } from '../helpers/sqlite.ts'

let dir: string
let db: string
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xrayops-migrate-'))
  db = path.join(dir, 'xrayops.db')
})
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }))

const sha = (f: string) => createHash('sha256').update(fs.readFileSync(f)).digest('hex')

describeWith(sqlite3Cli, 'the state database', () => {
  it('is created in WAL mode with synchronous=FULL, at the latest schema version', async () => {
    const s = await openState(dir)
    expect(s.db.pragma('synchronous')).toBe(2) // FULL
    expect(Number(s.db.pragma('busy_timeout'))).toBeGreaterThanOrEqual(5000)
    s.close()
    expect(sqlValue(db, 'PRAGMA journal_mode')).toBe('wal') // persistent: stored in the file
    expect(sqlValue(db, 'PRAGMA user_version')).toBe(String(migrations.length))
    expect(sql(db, 'SELECT version, name FROM schema_migrations ORDER BY version')).toEqual(migrations.map((m) => [String(m.version), m.name]))
    expect(sql(db, 'SELECT colour, state FROM environments ORDER BY colour')).toEqual([['blue', 'stopped'], ['green', 'stopped']])
  })

  it('migrates a database of an older version in place, keeping its rows', async () => {
    const old = await openSqlite(db)
    migrate(old, migrations.slice(0, 1))
    old.prepare("INSERT INTO models (name, version, sha256, bytes, architecture, warmup_score, registered_at, registered_by) VALUES ('m', '1.0.0', 'ab', 1, 'efficientnet_b0', 0.5, '2026-01-01T00:00:00.000Z', 'u')").run()
    old.close()
    expect(sqlValue(db, 'PRAGMA user_version')).toBe('1')
    expect(sqlValue(db, "SELECT count(*) FROM sqlite_master WHERE name = 'environments'")).toBe('0')

    const r = await xrayops(['registry', 'list', '--state-dir', dir])
    expect(r.code, r.stderr).toBe(0)
    expect(r.stdout).toMatch(/^m\s+1\.0\.0\s+registered/m)
    expect(sqlValue(db, 'PRAGMA user_version')).toBe(String(migrations.length))
    expect(sql(db, 'SELECT name, version FROM models')).toEqual([['m', '1.0.0']])
    expect(sqlValue(db, 'SELECT count(*) FROM environments')).toBe('2')
    expect(sqlValue(db, 'PRAGMA integrity_check')).toBe('ok')
  })

  it('refuses a database from a newer xrayops, clearly, and leaves it untouched', async () => {
    ;(await openState(dir)).close()
    sql(db, 'PRAGMA user_version = 99')
    const before = sha(db)
    await expect(openState(dir)).rejects.toMatchObject({ code: 'STATE_TOO_NEW', message: expect.stringMatching(new RegExp(`schema version 99, newer than this xrayops knows \\(${migrations.length}\\)`)) })
    const r = await xrayops(['registry', 'list', '--state-dir', dir])
    expect(r.code).toBe(1)
    expect(r.stderr).toMatch(/STATE_TOO_NEW: .*schema version 99.*run a newer xrayops, or restore a backup/)
    expect(sha(db)).toBe(before)
    expect(sqlValue(db, 'PRAGMA user_version')).toBe('99')
  })

  it('rolls a failing migration back whole: no version bump, no half-made table', async () => {
    const broken: Migration[] = [
      ...migrations,
      { version: migrations.length + 1, name: 'broken', up: (d) => d.exec('CREATE TABLE half (x); INSERT INTO nowhere VALUES (1);') },
    ]
    const s = await openSqlite(db)
    expect(() => migrate(s, broken)).toThrow(/no such table: nowhere/)
    s.close()
    expect(sqlValue(db, 'PRAGMA user_version')).toBe('0')
    expect(sqlValue(db, "SELECT count(*) FROM sqlite_master WHERE type = 'table'")).toBe('0')
  })

  it('is refused clearly when the file is not an SQLite database', async () => {
    fs.writeFileSync(db, 'not a database, just text that is long enough to have a header of sorts '.repeat(10))
    await expect(openState(dir)).rejects.toMatchObject({ code: 'STATE_ERROR', message: expect.stringMatching(/cannot open the state database .*xrayops\.db: file is not a database/) })
  })

  it('is created once when several processes open a new directory at the same time', async () => {
    const runs = await Promise.all(Array.from({ length: 4 }, () => xrayops(['registry', 'list', '--state-dir', dir])))
    for (const r of runs) expect(r.code, r.stderr).toBe(0)
    expect(sqlValue(db, 'PRAGMA user_version')).toBe(String(migrations.length))
    expect(sqlValue(db, 'SELECT count(*) FROM schema_migrations')).toBe(String(migrations.length))
    expect(sqlValue(db, 'SELECT count(*) FROM environments')).toBe('2')
  })

  it('keeps the history append-only, even for other SQLite clients', async () => {
    const s = await openState(dir)
    s.db.prepare("INSERT INTO events (at, actor, action, subject) VALUES ('2026-01-01T00:00:00Z', 'u', 'model.register', 'm@1.0.0')").run()
    s.close()
    expect(() => sql(db, "UPDATE events SET actor = 'someone else'")).toThrow(/events are append-only/)
    expect(() => sql(db, 'DELETE FROM events')).toThrow(/events are append-only/)
    expect(sql(db, 'SELECT actor, action FROM events')).toEqual([['u', 'model.register']])
  })
})
