/**
 * `xrayops report --weekly|--detailed` from the state database alone (Prometheus unreachable):
 * the figures against the database read by the sqlite3 shell and against the golden labels, the
 * missing sections named, the exit code non-zero only when nothing could be read.
 */
import fs from 'node:fs'
import path from 'node:path'
import { beforeAll, expect, it } from 'vitest'
import { xrayops } from '../helpers/cli.ts'
import { goldenRows, tempDir } from '../helpers/fixtures.ts'
import { freePort } from '../helpers/process.ts'
import { describeWith } from '../helpers/require.ts'
import { sql, sqlite3Cli } from '../helpers/sqlite.ts'
import { blockDir, productionState } from './helpers.ts'

const pct = (x: number) => `${(x * 100).toFixed(1)}%`

describeWith(sqlite3Cli, 'weekly and detailed reports without Prometheus', () => {
  const dir = blockDir('weekly-state')
  let ids: Awaited<ReturnType<typeof productionState>>['ids']
  beforeAll(async () => {
    ids = (await productionState(dir, 2)).ids
  }, 120_000)

  it('--weekly --json: predictions, latency, feedback accuracy (naming its source) and deployments; the Prometheus sections missing with the reason', async () => {
    const nowhere = `http://127.0.0.1:${await freePort()}`
    const r = await xrayops(['report', '--weekly', '--json', '--state-dir', dir, '--prometheus', nowhere])
    expect(r.code, r.stderr).toBe(0)
    const s = JSON.parse(r.stdout)
    expect(s.sources.prometheus).toMatchObject({ url: nowhere, read: false })
    expect(s.missing.map((m: { section: string }) => m.section)).toEqual(['traffic', 'feedback gauges', 'drift', 'alerts'])
    expect(s.missing[0].reason).toBe(`Prometheus: ${nowhere} cannot be reached: ECONNREFUSED`)
    expect(r.stderr).toContain('4 section(s) missing')

    // Labels: the golden file's reference scores at the model's 0.5 threshold.
    const expected: Record<string, number> = {}
    for (const [, p] of goldenRows()) expected[p >= 0.5 ? 'PNEUMONIA' : 'NORMAL'] = (expected[p >= 0.5 ? 'PNEUMONIA' : 'NORMAL'] ?? 0) + 1
    expect(s.audit.predictions).toBe(8)
    expect(s.audit.byLabel).toEqual(expected)
    // p95 by nearest rank, computed by the sqlite3 shell.
    const db = path.join(dir, 'xrayops.db')
    const sorted = sql(db, 'SELECT latency_ms FROM audit ORDER BY latency_ms').map((x) => Number(x[0]))
    expect(s.audit.latencyMs.p95).toBe(sorted[Math.ceil(0.95 * sorted.length) - 1])
    expect(s.audit.latencyMs.max).toBe(sorted.at(-1))

    // Feedback: 6 labelled, 2 of them wrong (the first two predictions).
    expect(s.feedback).toHaveLength(1)
    const f = s.feedback[0]
    const labelled = ids.slice(0, 6)
    const tp = labelled.filter((p) => p.label === 'PNEUMONIA' && p.truth === 'PNEUMONIA').length
    const fn = labelled.filter((p) => p.label === 'NORMAL' && p.truth === 'PNEUMONIA').length
    expect(f).toMatchObject({ labelled: 6, accuracy: 4 / 6, tp, fn, model: 'pneumonia-efficientnet_b0@1' })
    expect(f.sensitivity).toBe(tp + fn ? tp / (tp + fn) : null) // NaN prints as null in JSON
    expect(f.source).toMatch(/^radiologist feedback given in the window \(.+ to .+\), n=6$/)

    // Events: both, as the sqlite3 shell reads them.
    expect(s.events.map((e: { action: string; subject: string }) => [e.action, e.subject])).toEqual(sql(db, 'SELECT action, subject FROM events ORDER BY id'))
  })

  it('Markdown by default: deployments only in --weekly, every event in --detailed, per-day tables; --output writes the file', async () => {
    const nowhere = `http://127.0.0.1:${await freePort()}`
    const w = await xrayops(['report', '--weekly', '--state-dir', dir, '--prometheus', nowhere])
    expect(w.code, w.stderr).toBe(0)
    expect(w.stdout).toMatch(/^# xrayops Weekly report\n/)
    expect(w.stdout).toContain(`- **traffic**: Prometheus: ${nowhere} cannot be reached: ECONNREFUSED`)
    expect(w.stdout).toContain('| predictions | 8 |')
    expect(w.stdout).toMatch(new RegExp(`\\| pneumonia-efficientnet_b0@1 \\| ${pct(4 / 6).replace('.', '\\.')} \\| .* \\| radiologist feedback given in the window \\(.+\\), n=6 \\|`))
    expect(w.stdout).toContain('## Deployments (events table)')
    expect(w.stdout).toContain('| env.deploy | green | ops | weekly release |')
    expect(w.stdout).not.toContain('token.create')

    const out = path.join(tempDir('detailed'), 'detailed.md')
    const d = await xrayops(['report', '--detailed', '--since', '1d', '--output', out, '--state-dir', dir, '--prometheus', nowhere])
    expect(d.code, d.stderr).toBe(0)
    expect(d.stdout).toBe('')
    const md = fs.readFileSync(out, 'utf8')
    expect(md).toContain('## Deployments and changes (events table)')
    expect(md).toContain('| token.create | night-ops |')
    const today = sql(path.join(dir, 'xrayops.db'), 'SELECT substr(at, 1, 10), count(*) FROM audit GROUP BY 1')
    for (const [day, n] of today) expect(md).toMatch(new RegExp(`\\| ${day} \\| ${n} \\| \\d+ \\| [\\d.]+ ms \\|`))
    expect(md).toContain('- **traffic per day**: Prometheus')
  })

  it('exits 1 only when nothing could be read; usage mistakes are refused', async () => {
    const nowhere = `http://127.0.0.1:${await freePort()}`
    const empty = tempDir('weekly-empty')
    const r = await xrayops(['report', '--weekly', '--state-dir', empty, '--prometheus', nowhere])
    expect(r.code).toBe(1)
    expect(r.stdout).toContain(`- **predictions (audit)**: state database: no state database at ${path.join(empty, 'xrayops.db')}`)
    expect(fs.readdirSync(empty)).toEqual([]) // a report creates nothing
    expect((await xrayops(['report', '--state-dir', dir])).stderr).toContain('say which report')
    expect((await xrayops(['report', '--weekly', '--detailed', '--state-dir', dir])).stderr).toContain('cannot be combined')
    expect((await xrayops(['report', '--weekly', '--since', 'soon', '--state-dir', dir])).stderr).toContain('is not a duration')
  })
})
