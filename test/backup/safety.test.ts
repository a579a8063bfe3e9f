/**
 * What keeps a restore safe, on a real state folder: a backup taken while the model server
 * writes is a consistent snapshot; a restore is refused while a process uses the state folder;
 * a restore killed (SIGKILL) before its commit point leaves the old state whole, one killed after
 * it is finished by the next command that opens the state; retention keeps the newest backups.
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { killAtPause } from '../helpers/cli.ts'
import { readFixture } from '../helpers/fixtures.ts'
import { describeWith } from '../helpers/require.ts'
import { postImage } from '../helpers/server.ts'
import { sql, sqlite3Cli, sqlValue } from '../helpers/sqlite.ts'
import { auditApp } from '../audit/helpers.ts'
import { cliIn, dump, populate, snapshot } from './helpers.ts'

let dir: string
let state: string
let cli: ReturnType<typeof cliIn>
let backup: string
let manifest: string

const db = () => path.join(state, 'xrayops.db')
const tokens = () => JSON.parse(fs.readFileSync(path.join(state, 'tokens.json'), 'utf8')).tokens.map((t: { name: string }) => t.name).sort()
const leftovers = () => fs.readdirSync(state).filter((n) => n.startsWith('.restore-') || n === 'restore-journal.json')

describeWith(sqlite3Cli, 'backup and restore safety', () => {
  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xrayops-backup-safety-'))
    state = path.join(dir, 'state')
    cli = cliIn(state)
    manifest = (await populate(dir, state, 3)).manifest
  }, 180_000)
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }))

  it('takes a consistent backup while the model server writes, and refuses to restore under it', async () => {
    const app = auditApp(state, { model: { path: manifest }, performance: { cacheSize: 0 } })
    try {
      await app.loaded
      const image = readFixture('xray-224/NORMAL/IM-0005-0001.jpeg')
      let writing = true
      const load = (async () => {
        let n = 0
        while (writing && n < 400) {
          await postImage(app, image)
          n++
        }
        return n
      })()
      const countBefore = Number(sqlValue(db(), 'SELECT count(*) FROM audit'))
      const r = await cli(['backup', '--json'])
      writing = false
      const sent = await load
      expect(r.code, r.stderr).toBe(0)
      backup = JSON.parse(r.stdout).dir
      const copy = path.join(backup, 'state/xrayops.db')
      expect(sqlValue(copy, 'PRAGMA integrity_check')).toBe('ok')
      const inCopy = sql(copy, 'SELECT * FROM audit ORDER BY seq')
      expect(inCopy.length).toBeGreaterThanOrEqual(countBefore)
      expect(sent).toBeGreaterThan(0)
      // A snapshot: the rows of the copy are exactly the first rows of the live table.
      expect(sql(db(), `SELECT * FROM audit ORDER BY seq LIMIT ${inCopy.length}`)).toEqual(inCopy)

      const refused = await cli(['restore', '--from-backup', 'latest', '--yes'])
      expect(refused.code).toBe(1)
      expect(refused.stderr).toContain('SERVICES_RUNNING')
      expect(refused.stderr).toContain(`pid ${process.pid}`)
      expect(leftovers()).toEqual([])
    } finally {
      await app.close()
    }
  }, 120_000)

  it('a restore killed before its commit point leaves the old state whole', async () => {
    expect((await cli(['token', 'create', '--name', 'after-backup', '--scope', 'admin'])).code).toBe(0)
    const old = { files: snapshot(state), rows: dump(db()) }
    const out = await killAtPause(['restore', '--from-backup', 'latest', '--yes'], 'before-rename:restore-journal\\.json$', { XRAYOPS_STATE_DIR: state, XRAYOPS_CONFIG: '' })
    expect(out).toContain('PAUSED before rename')
    expect(snapshot(state, ['backups', ...leftovers()])).toEqual(old.files)
    expect(dump(db())).toEqual(old.rows)
    expect(tokens()).toContain('after-backup')
    // The next restore clears the dead one's staging folder and completes.
    const r = await cli(['restore', '--from-backup', 'latest', '--yes'])
    expect(r.code, r.stderr).toBe(0)
    expect(leftovers()).toEqual([])
    expect(tokens()).not.toContain('after-backup')
  }, 120_000)

  it('a restore killed after its commit point is finished by the next command that opens the state', async () => {
    expect((await cli(['token', 'create', '--name', 'after-backup-2', '--scope', 'admin'])).code).toBe(0)
    const want = sql(path.join(backup, 'state/xrayops.db'), 'SELECT * FROM audit ORDER BY seq')
    // Killed with the database and the model store swapped, the tokens file not yet.
    const out = await killAtPause(['restore', '--from-backup', 'latest', '--yes'], 'after-rename:/state/models$', { XRAYOPS_STATE_DIR: state, XRAYOPS_CONFIG: '' })
    expect(out).toContain('PAUSED after rename')
    expect(fs.existsSync(path.join(state, 'restore-journal.json'))).toBe(true)
    expect(tokens()).toContain('after-backup-2') // still the old tokens file
    const list = await cli(['registry', 'list', '--json'])
    expect(list.code, list.stderr).toBe(0)
    expect(JSON.parse(list.stdout).map((m: { version: string }) => m.version).sort()).toEqual(['1.0.0', '2.0.0'])
    expect(leftovers()).toEqual([])
    expect(tokens()).not.toContain('after-backup-2')
    expect(fs.readFileSync(path.join(state, 'tokens.json'))).toEqual(fs.readFileSync(path.join(backup, 'state/tokens.json')))
    expect(sql(db(), 'SELECT * FROM audit ORDER BY seq')).toEqual(want)
    expect(sqlValue(db(), 'PRAGMA integrity_check')).toBe('ok')
  }, 120_000)

  it('keeps the newest backup.keep backups', async () => {
    const other = path.join(dir, 'elsewhere')
    for (let i = 0; i < 3; i++) expect((await cli(['backup', '--to', other, '--backup-keep', '2'])).code).toBe(0)
    const left = fs.readdirSync(other).sort()
    expect(left).toHaveLength(2)
    const list = await cli(['backup', '--list', '--json', '--backup-dir', other])
    expect(JSON.parse(list.stdout).map((b: { name: string }) => b.name).sort()).toEqual(left)
    const r = await cli(['restore', '--from-backup', 'latest', '--dry-run', '--backup-dir', other])
    expect(r.code, r.stderr).toBe(0)
  }, 120_000)
})
