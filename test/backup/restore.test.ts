/**
 * The backup/restore acceptance test on real files: two registered model versions (real ONNX
 * files), a token, audit rows and labels written by the model server with the audit trail on;
 * a backup; then the database's pages and a model file are damaged, the backup restored, and
 * every registry entry, audit record, label and event is back as the sqlite3 shell reads it,
 * every file as sha256sum reads it. Then damaged backups (a changed byte in a model file, a
 * missing file, a truncated manifest, a database failing integrity_check, a partial folder) are
 * each refused with the state folder untouched.
 */
import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { beforeAll, expect, it } from 'vitest'
import { describeWith } from '../helpers/require.ts'
import { sql, sqlite3Cli, sqlValue } from '../helpers/sqlite.ts'
import { cliIn, dump, populate, snapshot } from './helpers.ts'
import { mkdtempSync, rmSync } from 'node:fs'
import os from 'node:os'
import { afterAll } from 'vitest'

let dir: string
let state: string
let backup: string
let cli: ReturnType<typeof cliIn>
let before: ReturnType<typeof dump>
let files: Record<string, string>

const db = () => path.join(state, 'xrayops.db')
const modelFiles = () => fs.readdirSync(path.join(state, 'models')).filter((f) => f.endsWith('.onnx'))

describeWith(sqlite3Cli, 'backup and restore', () => {
  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'xrayops-backup-'))
    state = path.join(dir, 'state')
    cli = cliIn(state)
    await populate(dir, state, 9)
    const r = await cli(['backup', '--json'])
    expect(r.code, r.stderr).toBe(0)
    backup = JSON.parse(r.stdout).dir
    before = dump(db())
    files = snapshot(state)
  }, 180_000)
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  it('backs up everything with a manifest of sizes and sha256, in <state>/backups/<UTC time>/', () => {
    expect(path.dirname(backup)).toBe(path.join(state, 'backups'))
    expect(path.basename(backup)).toMatch(/^\d{8}T\d{6}Z$/)
    const m = JSON.parse(fs.readFileSync(path.join(backup, 'manifest.json'), 'utf8'))
    expect(m).toMatchObject({ format: 'xrayops-backup/1', schema_version: Number(sqlValue(db(), 'PRAGMA user_version')), contents: { models: 2, audit: 9, feedback: 3 } })
    expect(m.host).toBeTruthy()
    expect(m.xrayops_version).toMatch(/^\d+\.\d+\.\d+/)
    const listed = new Set(m.files.map((f: { path: string }) => f.path))
    // Every file of the state folder (but the live database, copied through SQLite) is in it, with its sha256 (sha256sum's).
    for (const [rel, sha] of Object.entries(files)) {
      if (rel.startsWith('xrayops.db')) continue
      expect(listed.has(`state/${rel}`), rel).toBe(true)
      expect(m.files.find((f: { path: string }) => f.path === `state/${rel}`).sha256).toBe(sha)
    }
    expect([...listed].filter((p) => String(p).endsWith('.drift.json'))).toHaveLength(1)
    for (const f of m.files) expect(execFileSync('sha256sum', [path.join(backup, f.path)], { encoding: 'utf8' }).split(' ')[0]).toBe(f.sha256)
    // The copy of the database is self-contained and whole (read by the sqlite3 shell).
    expect(sqlValue(path.join(backup, 'state/xrayops.db'), 'PRAGMA integrity_check')).toBe('ok')
    expect(sql(path.join(backup, 'state/xrayops.db'), 'SELECT * FROM audit ORDER BY seq')).toEqual(before.audit)
  })

  it('restores a damaged database and model file: every registry entry, audit record and label is back', async () => {
    // Damage: random bytes over pages 2-5 of the database, then cut it short; 64 bytes of a model file.
    const garbage = Buffer.alloc(4 * 4096, 0x5a)
    const fd = fs.openSync(db(), 'r+')
    fs.writeSync(fd, garbage, 0, garbage.length, 4096)
    fs.closeSync(fd)
    fs.truncateSync(db(), 6 * 4096)
    const model = path.join(state, 'models', modelFiles()[0]!)
    fs.chmodSync(model, 0o644)
    const mfd = fs.openSync(model, 'r+')
    fs.writeSync(mfd, Buffer.alloc(64, 0xff), 0, 64, 100_000)
    fs.closeSync(mfd)
    expect(() => sqlValue(db(), 'SELECT count(*) FROM audit')).toThrow()
    expect(execFileSync('sha256sum', [model], { encoding: 'utf8' }).split(' ')[0]).not.toBe(path.basename(model, '.onnx'))

    const refused = await cli(['restore', '--from-backup', 'latest'])
    expect(refused.code).toBe(1)
    expect(refused.stderr).toContain('pass --yes')

    const r = await cli(['restore', '--from-backup', 'latest', '--yes', '--json'])
    expect(r.code, r.stderr).toBe(0)
    expect(JSON.parse(r.stdout)).toMatchObject({ backup, contents: { models: 2, audit: 9, feedback: 3 } })
    expect(sqlValue(db(), 'PRAGMA integrity_check')).toBe('ok')
    const after = dump(db())
    expect(after.models).toEqual(before.models)
    expect(after.audit).toEqual(before.audit)
    expect(after.feedback).toEqual(before.feedback)
    expect(after.environments).toEqual(before.environments)
    // The history is append-only: all of it back, and the restore recorded after it.
    expect(after.events.slice(0, before.events.length)).toEqual(before.events)
    expect(after.events.slice(before.events.length).map((e) => [e[3], e[4]])).toEqual([['state.restore', path.basename(backup)]])
    // Every file as it was (sha256sum), the model files matching their names again.
    const now = snapshot(state)
    for (const [rel, sha] of Object.entries(files)) if (!rel.startsWith('xrayops.db')) expect(now[rel], rel).toBe(sha)
    for (const f of modelFiles()) expect(execFileSync('sha256sum', [path.join(state, 'models', f)], { encoding: 'utf8' }).split(' ')[0]).toBe(path.basename(f, '.onnx'))
    for (const v of ['1.0.0', '2.0.0']) {
      const info = await cli(['registry', 'info', '--version', v, '--json'])
      expect(info.code, info.stderr).toBe(0)
      expect(JSON.parse(info.stdout).fileIntact).toBe(true)
    }
    expect(fs.readdirSync(state).filter((n) => n.startsWith('.restore-') || n === 'restore-journal.json')).toEqual([])
  }, 120_000)

  /** A copy of the good backup, damaged by `damage`, offered to restore: refused, state untouched. */
  const refuses = async (what: string, damage: (b: string) => void, says: RegExp) => {
    const copy = path.join(dir, `damaged-${what.replace(/\W+/g, '-')}`)
    fs.cpSync(backup, copy, { recursive: true })
    for (const f of walk(copy)) fs.chmodSync(f, 0o644)
    damage(copy)
    const untouched = snapshot(state)
    const dbRows = dump(db())
    const r = await cli(['restore', '--from-backup', copy, '--yes'])
    expect(r.code, `${what}: ${r.stdout}`).toBe(1)
    expect(r.stderr).toMatch(/BACKUP_INVALID/)
    expect(r.stderr).toMatch(says)
    expect(r.stderr).toContain('nothing was restored')
    expect(snapshot(state), what).toEqual(untouched)
    expect(dump(db())).toEqual(dbRows)
    expect(fs.readdirSync(state).filter((n) => n.startsWith('.restore-')), what).toEqual([])
  }

  const walk = (d: string): string[] => fs.readdirSync(d, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(path.join(d, e.name)) : [path.join(d, e.name)]))
  const manifestOf = (b: string) => JSON.parse(fs.readFileSync(path.join(b, 'manifest.json'), 'utf8'))

  it('refuses a backup with a changed byte in a model file', () =>
    refuses(
      'changed byte',
      (b) => {
        const f = walk(path.join(b, 'state/models')).find((p) => p.endsWith('.onnx'))!
        const bytes = fs.readFileSync(f)
        bytes[bytes.length >> 1] ^= 1
        fs.writeFileSync(f, bytes)
      },
      /\.onnx has changed/,
    ))

  it('refuses a backup with a missing file', () => refuses('missing file', (b) => fs.rmSync(path.join(b, 'state/tokens.json')), /state\/tokens\.json is missing/))

  it('refuses a backup with a truncated manifest', () =>
    refuses(
      'truncated manifest',
      (b) => {
        const m = fs.readFileSync(path.join(b, 'manifest.json'))
        fs.writeFileSync(path.join(b, 'manifest.json'), m.subarray(0, m.length >> 1))
      },
      /manifest\.json is not valid JSON/,
    ))

  it('refuses a backup whose database fails integrity_check (its manifest entry matching it)', () =>
    refuses(
      'integrity',
      (b) => {
        const f = path.join(b, 'state/xrayops.db')
        // An index whose entries no longer match its definition: the file opens, integrity_check fails.
        execFileSync('sqlite3', [f, '.dbconfig defensive off', "PRAGMA writable_schema=ON; UPDATE sqlite_master SET sql='CREATE INDEX audit_at ON audit (latency_ms)' WHERE name='audit_at';"])
        expect(sqlValue(f, 'PRAGMA integrity_check')).not.toBe('ok')
        const m = manifestOf(b)
        const entry = m.files.find((x: { path: string }) => x.path === 'state/xrayops.db')
        entry.sha256 = execFileSync('sha256sum', [f], { encoding: 'utf8' }).split(' ')[0]
        entry.bytes = fs.statSync(f).size
        fs.writeFileSync(path.join(b, 'manifest.json'), JSON.stringify(m))
      },
      /fails PRAGMA integrity_check: .*missing from index audit_at/,
    ))

  it('never takes a partial backup for one: no manifest is refused, and `latest` skips a .partial folder', async () => {
    await refuses('no manifest', (b) => fs.rmSync(path.join(b, 'manifest.json')), /has no manifest\.json/)
    const partial = path.join(state, 'backups', '.partial-29991231T235959Z-999999')
    fs.cpSync(backup, partial, { recursive: true })
    const r = await cli(['restore', '--from-backup', 'latest', '--dry-run'])
    expect(r.code, r.stderr).toBe(0)
    expect(r.stderr).toContain(`backup ${backup}`)
    fs.rmSync(partial, { recursive: true, force: true })
  })
})
