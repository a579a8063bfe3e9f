/**
 * Admin access: every admin route of the gateway (listed from the app itself, so a route added
 * later is covered too) and the model server's own admin route refuse a missing, malformed,
 * unknown, expired, revoked and wrong-scope token, with 401/403 and a JSON body naming why.
 * Prediction routes are open by default and need the predict scope when auth.require_predict_token
 * is set. With an admin token the admin API works, and its changes are events naming the token.
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createToken, revokeToken } from '../../src/auth/index.ts'
import { createGateway } from '../../src/gateway/index.ts'
import { readManifest } from '../../src/models/manifest.ts'
import { Registry } from '../../src/registry/registry.ts'
import { sha256 } from '../../src/registry/store.ts'
import { openState, type State } from '../../src/state/db.ts'
import { setEnvironment } from '../../src/state/environments.ts'
import { listEvents } from '../../src/state/events.ts'
import { createModelServer } from '../../src/server/serve.ts'
import { json, testConfig } from '../helpers/server.ts'

let dir: string
let state: State
const tokens: Record<string, string> = {}
let gateway: Awaited<ReturnType<typeof createGateway>>

const checked = { architecture: 'efficientnet_b0', input: { name: 'input', height: 224, width: 224 }, cam: { height: 7, width: 7 }, warmupScore: 0.25, opset: 17, producer: 'test' }

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xrayops-tokens-'))
  state = await openState(dir)
  const make = (name: string, scope: 'admin' | 'predict', expiresAt: Date | null = null) => (tokens[name] = createToken(state, { name, scope, expiresAt, actor: 'tester' }).token)
  make('ops', 'admin')
  make('viewer', 'predict')
  make('old', 'admin', new Date(Date.now() - 60_000))
  make('gone', 'admin')
  revokeToken(state, 'gone', 'tester', 'left the team')
  // Two registered versions for the registry routes (the facts a registration checks are given here).
  const { manifest: template } = await readManifest()
  const reg = new Registry(state)
  for (const [version, seed] of [['1.0.0', 1], ['1.1.0', 2]] as const) {
    const bytes = new Uint8Array(64).fill(seed)
    reg.register({ name: 'pneumonia', version, bytes, sha256: sha256(bytes), checked, template, warmupImage: { name: 'w.jpeg', bytes: new Uint8Array([seed]) }, actor: 'tester' })
  }
  setEnvironment(state.db, 'blue', { modelId: reg.find('1.1.0').id, port: 9, host: '127.0.0.1', state: 'stopped' })
  gateway = await createGateway(testConfig({ state: { dir } }))
})
afterAll(() => {
  gateway?.stop()
  state?.close()
  fs.rmSync(dir, { recursive: true, force: true })
})

const call = (app: { request: (url: string, init?: RequestInit) => Response | Promise<Response> }, method: string, url: string, auth?: string, body?: unknown) =>
  app.request(`http://gateway.test${url}`, {
    method,
    headers: { ...(auth ? { authorization: auth } : {}), ...(body ? { 'content-type': 'application/json' } : {}) },
    ...(body ? { body: JSON.stringify(body) } : {}),
  })

const bad = () =>
  [
    ['missing', undefined, 401, 'UNAUTHORIZED'],
    ['not a bearer token', 'Basic b3BzOnNlY3JldA==', 401, 'UNAUTHORIZED'],
    ['malformed', 'Bearer hunter2', 401, 'UNAUTHORIZED'],
    ['unknown', `Bearer xro_${'A'.repeat(43)}`, 401, 'UNAUTHORIZED'],
    ['expired', `Bearer ${tokens.old}`, 401, 'UNAUTHORIZED'],
    ['revoked', `Bearer ${tokens.gone}`, 401, 'UNAUTHORIZED'],
    ['scope', `Bearer ${tokens.viewer}`, 403, 'FORBIDDEN'],
  ] as const

const reasonOf = (what: string) => (what === 'not a bearer token' ? 'missing' : what)

/** Every admin route of the gateway app, with its path parameters filled in. */
const adminRoutes = () =>
  [...new Set(gateway.app.routes.filter((r) => r.path.startsWith('/admin/') && r.method !== 'ALL').map((r) => `${r.method} ${r.path.replace(':version', '1.0.0')}`))].map((s) => s.split(' ') as [string, string])

describe('the admin API refuses every bad token', () => {
  it('lists the admin routes it checks', () => {
    expect(adminRoutes().map((r) => r.join(' ')).sort()).toEqual([
      'GET /admin/events',
      'GET /admin/models',
      'GET /admin/models/1.0.0',
      'GET /admin/status',
      'GET /admin/tokens',
      'POST /admin/cache/clear',
      'POST /admin/models/1.0.0/archive',
      'POST /admin/traffic',
    ])
  })

  it('answers 401 or 403 with a JSON body naming the problem, on every admin route', async () => {
    const seen: string[] = []
    for (const [method, url] of [...adminRoutes(), ['GET', '/admin/no-such-route'] as [string, string]])
      for (const [what, auth, status, code] of bad()) {
        const res = await call(gateway.app, method, url, auth, method === 'POST' ? { to: 'blue' } : undefined)
        expect(res.status, `${method} ${url} with a ${what} token`).toBe(status)
        const body = await json(res)
        expect(body.error, `${method} ${url} with a ${what} token`).toMatchObject({ code, details: { reason: reasonOf(what) } })
        expect(body.error.message).toMatch(/bearer token/)
        expect(res.headers.get('www-authenticate')).toMatch(/^Bearer realm="xrayops", scope="admin"/)
        seen.push(`${method} ${url} ${what}`)
      }
    expect(seen).toHaveLength((adminRoutes().length + 1) * bad().length)
    // Nothing changed: no event was written by any of those calls.
    expect(listEvents(state.db).filter((e) => e.actor.startsWith('token:'))).toEqual([])
  })

  it("the model server's own admin route refuses them too", async () => {
    const server = createModelServer(testConfig({ state: { dir } }), { load: false })
    try {
      for (const [what, auth, status, code] of bad()) {
        const res = await call(server.app, 'POST', '/admin/cache/clear', auth)
        expect(res.status, what).toBe(status)
        expect((await json(res)).error).toMatchObject({ code, details: { reason: reasonOf(what) } })
      }
      // The admin token passes; the model is not loaded here, so the server says so.
      const res = await call(server.app, 'POST', '/admin/cache/clear', `Bearer ${tokens.ops}`)
      expect(res.status).toBe(503)
      expect((await json(res)).error.code).toBe('MODEL_NOT_READY')
    } finally {
      await server.release()
    }
  })
})

describe('the admin API with an admin token', () => {
  const admin = () => `Bearer ${tokens.ops}`

  it('reads status, models, one model, events and tokens (never a token secret)', async () => {
    const status = await json(await call(gateway.app, 'GET', '/admin/status', admin()))
    expect(status).toMatchObject({ gateway: { status: 'down', live: null }, release: { liveColour: null, generation: 0 } })
    const models = await json(await call(gateway.app, 'GET', '/admin/models', admin()))
    expect(models.models.map((m: { version: string; inUse: string | null }) => [m.version, m.inUse])).toEqual([
      ['1.1.0', 'the blue environment runs it (stopped)'],
      ['1.0.0', null],
    ])
    const one = await json(await call(gateway.app, 'GET', '/admin/models/v1.0.0', admin()))
    expect(one).toMatchObject({ name: 'pneumonia', version: '1.0.0', events: [{ action: 'model.register' }] })
    const missing = await call(gateway.app, 'GET', '/admin/models/9.9.9', admin())
    expect(missing.status).toBe(404)
    expect((await json(missing)).error.code).toBe('MODEL_VERSION_NOT_FOUND')
    const listed = await json(await call(gateway.app, 'GET', '/admin/tokens', admin()))
    expect(listed.tokens.map((t: { name: string; status: string }) => [t.name, t.status])).toEqual([
      ['ops', 'active'],
      ['viewer', 'active'],
      ['old', 'expired'],
      ['gone', 'revoked'],
    ])
    expect(JSON.stringify(listed)).not.toMatch(/xro_|sha256/)
  })

  it('refuses a switch to a colour that is not ready, saying why; refuses a bad body', async () => {
    const res = await call(gateway.app, 'POST', '/admin/traffic', admin(), { to: 'blue' })
    expect(res.status).toBe(409)
    expect((await json(res)).error).toMatchObject({ code: 'ENVIRONMENT_NOT_READY', message: expect.stringMatching(/traffic stays on no colour: blue is stopped, not ready/) })
    const badBody = await call(gateway.app, 'POST', '/admin/traffic', admin(), { to: 'purple' })
    expect(badBody.status).toBe(400)
    expect((await json(badBody)).error.message).toMatch(/"to" must be "blue" or "green"/)
  })

  it('archives a version (never one in use), recording the token as the actor', async () => {
    const inUse = await call(gateway.app, 'POST', '/admin/models/1.1.0/archive', admin(), { reason: 'tidy' })
    expect(inUse.status).toBe(409)
    expect((await json(inUse)).error).toMatchObject({ code: 'MODEL_IN_USE' })
    const res = await call(gateway.app, 'POST', '/admin/models/1.0.0/archive', admin(), { reason: 'superseded by 1.1.0' })
    expect(res.status).toBe(200)
    expect((await json(res)).archived).toMatchObject([{ version: '1.0.0', status: 'archived' }])
    const events = await json(await call(gateway.app, 'GET', '/admin/events?prefix=model.&limit=1', admin()))
    expect(events.events).toMatchObject([{ action: 'model.archive', subject: 'pneumonia@1.0.0', actor: 'token:ops', reason: 'superseded by 1.1.0' }])
  })
})

describe('prediction routes', () => {
  it('are open by default (the gateway then answers for the live colour: none here)', async () => {
    const res = await call(gateway.app, 'POST', '/v1/predict')
    expect(res.status).toBe(503)
    expect((await json(res)).error).toMatchObject({ code: 'UPSTREAM_NOT_READY', message: expect.stringMatching(/no colour is live/) })
  })

  it('need the predict (or admin) scope when auth.require_predict_token is set', async () => {
    const g = await createGateway(testConfig({ state: { dir }, auth: { requirePredictToken: true } }))
    try {
      for (const url of ['/v1/predict', '/v1/predict/batch', '/v2/models/pneumonia/infer', '/v2/health/ready']) {
        for (const [what, auth, status] of bad().filter(([w]) => w !== 'scope')) {
          const res = await call(g.app, 'POST', url, auth)
          expect(res.status, `${url} ${what}`).toBe(status)
          expect(res.headers.get('www-authenticate')).toMatch(/scope="predict"/)
        }
        for (const token of [tokens.viewer, tokens.ops]) expect((await call(g.app, 'POST', url, `Bearer ${token}`)).status, url).toBe(503) // through: nothing live
      }
      expect((await call(g.app, 'GET', '/health')).status).toBe(503) // its own routes stay open
      expect((await call(g.app, 'GET', '/metrics')).status).toBe(200)
    } finally {
      g.stop()
    }
  })
})
