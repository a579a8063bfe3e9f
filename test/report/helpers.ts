import { createServer, type Server } from 'node:http'
import { mkdtempSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll } from 'vitest'
import { openState } from '../../src/state/db.ts'
import { appendEvent } from '../../src/state/events.ts'
import { auditApp, until } from '../audit/helpers.ts'
import { xrayops } from '../helpers/cli.ts'
import { goldenRows, readFixture } from '../helpers/fixtures.ts'
import { freePort } from '../helpers/process.ts'
import { json, postImage } from '../helpers/server.ts'
import { sqlValue } from '../helpers/sqlite.ts'

export interface Received {
  path: string
  contentType: string
  body: unknown
}

/** An HTTP receiver on loopback that records every POST and answers `status`. */
export async function receiver(status = 200): Promise<{ url: string; received: Received[]; close: () => Promise<void>; server: Server }> {
  const received: Received[] = []
  const server = createServer((req, res) => {
    let body = ''
    req.on('data', (d) => (body += d))
    req.on('end', () => {
      received.push({ path: req.url ?? '', contentType: req.headers['content-type'] ?? '', body: JSON.parse(body) })
      res.statusCode = status
      res.end(status < 300 ? 'ok' : 'no')
    })
  })
  const port = await freePort()
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', r))
  return { url: `http://127.0.0.1:${port}/hook`, received, server, close: () => new Promise((r) => server.close(() => r())) }
}

/**
 * A state folder as production leaves it: the 8 golden images predicted by a real model server
 * with the audit trail on, radiologists' labels sent to POST /v1/feedback (`wrong` of them
 * disagreeing with the model), an admin token created by `xrayops token create`, and a deployment
 * recorded as `xrayops deploy` records one.
 */
export async function productionState(dir: string, wrong = 2): Promise<{ dir: string; ids: { id: string; label: string; truth: string }[] }> {
  const s = auditApp(dir)
  const ids: { id: string; label: string; truth: string }[] = []
  try {
    await s.loaded
    for (const [name] of goldenRows()) {
      const body = await json(await postImage(s, readFixture(`xray-224/${name}`)))
      const truth = ids.length < wrong ? (body.label === 'PNEUMONIA' ? 'NORMAL' : 'PNEUMONIA') : body.label
      ids.push({ id: body.id, label: body.label, truth })
    }
    await until('8 audit rows', () => sqlValue(path.join(dir, 'xrayops.db'), 'SELECT count(*) FROM audit') === '8' || undefined)
    for (const p of ids.slice(0, 6)) {
      const r = await s.fetch(`${s.url}/v1/feedback`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ prediction_id: p.id, true_label: p.truth, reviewer: 'dr-lee' }) })
      if (r.status !== 201 && r.status !== 200) throw new Error(`feedback: HTTP ${r.status} ${await r.text()}`)
    }
  } finally {
    await s.close()
  }
  const t = await xrayops(['token', 'create', '--name', 'night-ops', '--scope', 'admin', '--state-dir', dir])
  if (t.code !== 0) throw new Error(`token create: ${t.stderr}`)
  const state = await openState(dir)
  try {
    appendEvent(state.db, { actor: 'ops', action: 'env.deploy', subject: 'green', reason: 'weekly release', details: { model: 'pneumonia-efficientnet_b0@1', port: 8002, runner: 'process' } })
  } finally {
    state.close()
  }
  return { dir, ids: ids.map((p, i) => (i < 6 ? p : { ...p, truth: '' })) }
}

/** A temporary folder for a whole describe block (tempDir() is per test), removed after it. */
export function blockDir(prefix: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), `xrayops-${prefix}-`))
  afterAll(() => rmSync(dir, { recursive: true, force: true }))
  return dir
}
