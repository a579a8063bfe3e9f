/** A state folder with real content for the backup tests, and independent ways to read it back. */
import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { fixture, readFixture } from '../helpers/fixtures.ts'
import { xrayops, type CliResult } from '../helpers/cli.ts'
import { derivedModel, shippedModel } from '../helpers/models.ts'
import { json, postImage } from '../helpers/server.ts'
import { sql } from '../helpers/sqlite.ts'
import { auditApp, until } from '../audit/helpers.ts'

export const cliIn = (state: string, extra: Record<string, string> = {}) => (args: string[]): Promise<CliResult> =>
  xrayops(args, { XRAYOPS_STATE_DIR: state, XRAYOPS_CONFIG: '', XRAYOPS_BACKUP_DIR: '', ...extra })

const drift = fixture('../../models/pneumonia-efficientnet_b0-v1.drift.json')

/**
 * Registers the shipped model as 1.0.0 (with its drift profile) and a real derived B0 as 2.0.0,
 * creates an admin token, and writes audit rows and labels through the model server (serving
 * 2.0.0, the audit trail on): `predictions` images, every third one labelled.
 */
export async function populate(dir: string, state: string, predictions = 8): Promise<{ ids: string[]; manifest: string }> {
  const cli = cliIn(state)
  const derived = derivedModel(path.join(dir, 'derived.onnx'))
  for (const [version, file, more] of [
    ['1.0.0', shippedModel, ['--drift-profile', drift]],
    ['2.0.0', derived, []],
  ] as const) {
    const r = await cli(['registry', 'register', '--name', 'pneumonia', '--version', version, '--path', file, ...more])
    if (r.code !== 0) throw new Error(`registering ${version}: ${r.stderr}`)
  }
  const t = await cli(['token', 'create', '--name', 'ops', '--scope', 'admin', '--expires', '30d'])
  if (t.code !== 0) throw new Error(`token: ${t.stderr}`)
  const manifest = JSON.parse((await cli(['registry', 'info', '--version', '2.0.0', '--json'])).stdout).manifest as string
  const app = auditApp(state, { model: { path: manifest }, performance: { cacheSize: 0 } })
  const ids: string[] = []
  try {
    await app.loaded
    const images = ['NORMAL/IM-0005-0001.jpeg', 'NORMAL/IM-0069-0001.jpeg', 'PNEUMONIA/person100_bacteria_478.jpeg', 'PNEUMONIA/person113_bacteria_543.jpeg']
    for (let i = 0; i < predictions; i++) {
      const res = await postImage(app, readFixture(`xray-224/${images[i % images.length]}`))
      ids.push((await json(res)).id)
    }
    await until('audit rows', () => Number(sql(path.join(state, 'xrayops.db'), 'SELECT count(*) FROM audit')[0]![0]) >= predictions || undefined)
    for (const [i, id] of ids.entries())
      if (i % 3 === 0) {
        const r = await app.fetch(`${app.url}/v1/feedback`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ prediction_id: id, true_label: i % 2 ? 'NORMAL' : 'PNEUMONIA', reviewer: 'dr-test' }) })
        if (r.status !== 201 && r.status !== 200) throw new Error(`feedback: ${r.status} ${await r.text()}`)
      }
  } finally {
    await app.close()
  }
  return { ids, manifest }
}

/** Every row of the tables that matter, as the sqlite3 shell prints them (an independent reader). */
export const dump = (db: string) => ({
  models: sql(db, 'SELECT * FROM models ORDER BY id'),
  audit: sql(db, 'SELECT * FROM audit ORDER BY seq'),
  feedback: sql(db, 'SELECT * FROM feedback ORDER BY id'),
  events: sql(db, 'SELECT * FROM events ORDER BY id'),
  environments: sql(db, 'SELECT * FROM environments ORDER BY colour'),
})

/** sha256 of every file below `dir` (sha256sum, not the product's hashing), `skip` leaving folders out. */
export function snapshot(dir: string, skip: string[] = ['backups']): Record<string, string> {
  const out: Record<string, string> = {}
  const visit = (rel: string) => {
    for (const e of fs.readdirSync(path.join(dir, rel), { withFileTypes: true })) {
      const r = rel ? `${rel}/${e.name}` : e.name
      if (skip.includes(r)) continue
      if (e.isDirectory()) visit(r)
      else out[r] = execFileSync('sha256sum', [path.join(dir, r)], { encoding: 'utf8' }).split(' ')[0]!
    }
  }
  visit('')
  return out
}
