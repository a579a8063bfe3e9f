/**
 * `xrayops report --incident`: the PDF opens (pdftoppm renders it) and holds the timeline, read
 * back with pdftotext; the figures are checked against the state database read by the sqlite3 shell.
 */
import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import sharp from 'sharp'
import { beforeAll, expect, it } from 'vitest'
import { xrayops } from '../helpers/cli.ts'
import { tempDir } from '../helpers/fixtures.ts'
import { freePort } from '../helpers/process.ts'
import { describeWith, tool } from '../helpers/require.ts'
import { sql, sqlite3Cli, sqlValue } from '../helpers/sqlite.ts'
import { insertRecords } from '../../src/audit/store.ts'
import { openState } from '../../src/state/db.ts'
import { fakeRecord } from '../audit/helpers.ts'
import { blockDir, productionState } from './helpers.ts'

const poppler = tool('pdftoppm', 'apt-get install poppler-utils', ['-v'])
const both = { name: 'pdftoppm + sqlite3', present: poppler.present && sqlite3Cli.present, install: 'apt-get install poppler-utils sqlite3' }

describeWith(both, 'incident report as PDF', () => {
  const dir = blockDir('incident-state')
  beforeAll(async () => {
    await productionState(dir)
    // A PACS at 10.0.0.7 sent one 3 hours ago, before the 2-hour window, and one an hour ago: not new.
    const state = await openState(dir)
    insertRecords(state.db, [
      { ...fakeRecord('before-window', new Date(Date.now() - 3 * 3_600_000)), client: '10.0.0.7' },
      { ...fakeRecord('in-window', new Date(Date.now() - 3_600_000)), client: '10.0.0.7' },
    ])
    state.close()
  }, 120_000)

  it('renders a PDF holding the timeline of the audit trail and the events, naming the sources it could not read', async () => {
    const out = path.join(tempDir('incident-pdf'), 'incident.pdf')
    const nowhere = `http://127.0.0.1:${await freePort()}`
    const args = ['report', '--incident', '--type', 'security', '--since', '2h', '--title', 'Token misuse on gpu-1', '--output', out, '--state-dir', dir, '--prometheus', nowhere, '--alertmanager', nowhere]
    const r = await xrayops([...args, '--json'])
    expect(r.code, r.stderr).toBe(0)
    expect(r.stderr).toContain(`Prometheus: ${nowhere} cannot be reached: ECONNREFUSED`)
    const inc = JSON.parse(r.stdout)

    // It opens: pdftoppm renders every page, and the first page is not blank.
    expect(fs.readFileSync(out).subarray(0, 5).toString()).toBe('%PDF-')
    const prefix = path.join(path.dirname(out), 'page')
    execFileSync('pdftoppm', ['-png', '-r', '60', out, prefix])
    const pages = fs.readdirSync(path.dirname(out)).filter((f) => f.startsWith('page') && f.endsWith('.png'))
    expect(pages.length).toBeGreaterThanOrEqual(1)
    const first = await sharp(path.join(path.dirname(out), pages.sort()[0]!)).greyscale().stats()
    expect(first.channels[0]!.min).toBeLessThan(60) // text drawn
    expect(first.channels[0]!.max).toBe(255)

    const text = execFileSync('pdftotext', ['-layout', out, '-'], { encoding: 'utf8' })
    expect(text).toContain('Token misuse on gpu-1')
    expect(text).toContain('Type: security.')
    expect(text).toMatch(/Missing sources[\s\S]*requests, errors and alerts \(Prometheus\): Prometheus: http:\/\/127\.0\.0\.1:\d+ cannot be reached: ECONNREFUSED/)
    expect(text).toContain('current alerts (Alertmanager)')

    // Every event of the window is a timeline line: its time, its action and subject (read with sqlite3).
    const db = path.join(dir, 'xrayops.db')
    const events = sql(db, 'SELECT at, action, subject, actor FROM events ORDER BY id')
    expect(events.map((e) => e[1])).toEqual(['token.create', 'env.deploy'])
    const flat = text.replace(/\s+/g, ' ')
    for (const [at, action, subject, actor] of events) {
      expect(flat).toContain(at!.replace('T', ' ').replace(/\.\d+Z$/, 'Z'))
      expect(flat).toContain(`${action} ${subject} by ${actor}`)
    }
    expect(flat).toContain('security: token.create night-ops')
    expect(flat).toContain('deployment: env.deploy green by ops (weekly release)')
    // Clients: every address of the window with its count (sqlite3), all new (none before the window).
    const inWindow = `at >= '${inc.window.from}'`
    const clients = sql(db, `SELECT coalesce(client, '(unknown)'), count(*), client IS NOT (SELECT client FROM audit WHERE id = 'before-window') FROM audit WHERE ${inWindow} GROUP BY client`)
    expect(inc.clients.map((c: { client: string; predictions: number; new: boolean }) => [c.client, String(c.predictions), c.new ? '1' : '0'])).toEqual(clients)
    expect(flat).toContain('Clients (audit trail)')
    const fresh = clients.filter((c) => c[2] === '1')
    expect(fresh.map((c) => c[0])).toEqual(['(unknown)']) // the in-process server records no address
    for (const [c] of fresh) expect(flat).toContain(`security: first prediction ever from client ${c}`)
    expect(inc.timeline).toHaveLength(events.length + fresh.length)

    // The per-interval predictions add up to the audit trail's rows; the largest latency is the table's.
    const rows = [...text.matchAll(/^\s*(\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ)\s+(\d+)\s+([\d.]+)\s+([\d.]+)\s*$/gm)]
    expect(rows.length).toBeGreaterThanOrEqual(1)
    expect(rows.reduce((a, m) => a + Number(m[2]), 0)).toBe(Number(sqlValue(db, `SELECT count(*) FROM audit WHERE ${inWindow}`)))
    expect(Math.max(...rows.map((m) => Number(m[4])))).toBe(Number(Number(sqlValue(db, `SELECT max(latency_ms) FROM audit WHERE ${inWindow}`)).toFixed(1)))
    expect(inc.stepS).toBe(300) // 2 h in intervals of 5 min
  })

  it('refuses what it cannot do: no --type, a non-PDF output, nothing readable', async () => {
    const out = path.join(tempDir('incident-bad'), 'x.pdf')
    const noType = await xrayops(['report', '--incident', '--output', out, '--state-dir', dir])
    expect(noType.code).toBe(1)
    expect(noType.stderr + noType.stdout).toContain('--type security or --type outage')
    const md = await xrayops(['report', '--incident', '--type', 'outage', '--output', 'x.md', '--state-dir', dir])
    expect(md.code).toBe(1)
    expect(md.stderr + md.stdout).toContain('written to a .pdf file')
    const nowhere = `http://127.0.0.1:${await freePort()}`
    const empty = await xrayops(['report', '--incident', '--type', 'outage', '--output', out, '--state-dir', tempDir('incident-empty'), '--prometheus', nowhere, '--alertmanager', nowhere])
    expect(empty.code).toBe(1)
    expect(empty.stderr).toContain('nothing could be read')
    expect(fs.existsSync(out)).toBe(false)
  })
})
