/**
 * The gateway's forwarding, on loopback sockets (streaming is the point), in front of stand-in
 * model servers (test/gateway/stub-upstream.ts) that can hold a request or stream on cue:
 * bodies stream both ways, the body limit holds while streaming, the request id and forwarding
 * headers, and the switch: a request in flight finishes on the old colour, new ones go to the
 * new colour, the moment a switch committed by another process (the CLI) reaches the gateway.
 */
import fs from 'node:fs'
import http from 'node:http'
import os from 'node:os'
import path from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { commitSwitch } from '../../src/deploy/traffic.ts'
import { type RunningGateway, startGateway } from '../../src/gateway/index.ts'
import { readManifest } from '../../src/models/manifest.ts'
import { Registry } from '../../src/registry/registry.ts'
import { sha256 } from '../../src/registry/store.ts'
import { openState, type State } from '../../src/state/db.ts'
import { setEnvironment } from '../../src/state/environments.ts'
import { until } from '../helpers/releases.ts'
import { json, testConfig } from '../helpers/server.ts'
import { type Stub, startStub } from './stub-upstream.ts'

const LIMIT = 64 * 1024

/** A raw HTTP/1.1 request whose body the test writes piece by piece. */
function rawRequest(url: string, headers: Record<string, string> = {}) {
  const req = http.request(url, { method: 'POST', headers: { 'content-type': 'application/octet-stream', ...headers } })
  const response = new Promise<http.IncomingMessage>((resolve, reject) => {
    req.once('response', resolve)
    req.once('error', reject)
  })
  return { req, response }
}

const readAll = (res: http.IncomingMessage) =>
  new Promise<string>((resolve) => {
    let s = ''
    res.on('data', (d) => (s += d))
    res.on('end', () => resolve(s))
  })

describe('with a fixed upstream', () => {
  let stub: Stub
  let gw: RunningGateway
  beforeAll(async () => {
    stub = await startStub('single')
    gw = await startGateway(testConfig({ gateway: { host: '127.0.0.1', port: 0, upstream: stub.url, checkIntervalMs: 100 }, limits: { maxBodyBytes: LIMIT } }))
    await until('the upstream checked ready', async () => (await fetch(`${gw.url}/health`)).status === 200)
  })
  afterAll(async () => {
    await gw?.close(1000)
    await stub?.close()
  })

  it('streams the request body: the model server has the first part before the client sent the rest', async () => {
    const { req, response } = rawRequest(`${gw.url}/v1/upload`)
    req.write(Buffer.alloc(1000, 1))
    await stub.firstChunk() // the request is still open here: nothing was buffered whole
    const seen = stub.seen.find((s) => s.url === '/v1/upload')!
    expect(seen.complete).toBe(false)
    req.end(Buffer.alloc(3000, 2))
    const res = await response
    expect(res.statusCode).toBe(200)
    expect(JSON.parse(await readAll(res))).toMatchObject({ served_by: 'single', bytes: 4000 })
  })

  it('streams the answer: the client has the first part before the model server sent the rest', async () => {
    const res = await new Promise<http.IncomingMessage>((resolve) => http.get(`${gw.url}/v1/download`, resolve))
    const first = await new Promise<string>((resolve) => res.once('data', (d) => resolve(String(d))))
    expect(first).toBe('first part;')
    stub.finishDownload()
    expect(await readAll(res)).toBe('second part')
  })

  it('keeps the body limit: a declared size over it is refused at once, a streamed one when it passes the limit', async () => {
    const forwarded = () => stub.seen.filter((x) => x.url === '/v1/predict').length
    const before = forwarded()
    const declared = await fetch(`${gw.url}/v1/predict`, { method: 'POST', body: new Uint8Array(LIMIT + 1) })
    expect(declared.status).toBe(413)
    expect((await json(declared)).error).toMatchObject({ code: 'INPUT_TOO_LARGE', message: `the request body exceeds ${LIMIT} bytes` })
    expect(forwarded()).toBe(before) // never forwarded
    const { req, response } = rawRequest(`${gw.url}/v1/predict`) // chunked: no length declared
    for (let i = 0; i < 9; i++) req.write(Buffer.alloc(8 * 1024))
    req.end()
    const res = await response
    expect(res.statusCode).toBe(413)
    expect(JSON.parse(await readAll(res)).error.code).toBe('INPUT_TOO_LARGE')
  })

  it('propagates the request id (or makes one), strips the token and hop-by-hop headers, adds X-Forwarded-*', async () => {
    const { req, response } = rawRequest(`${gw.url}/v1/predict`, {
      'x-request-id': 'study-42_a',
      authorization: 'Bearer xro_secret',
      'keep-alive': 'timeout=9',
      connection: 'keep-alive, x-hop',
      'x-hop': 'for this connection only',
    })
    req.end('x')
    const given = await response
    expect(given.headers['x-request-id']).toBe('study-42_a')
    expect(JSON.parse(await readAll(given)).request_id).toBe('study-42_a')
    const sent = stub.seen.filter((x) => x.url === '/v1/predict').at(-1)!
    expect(sent.headers).toMatchObject({ 'x-request-id': 'study-42_a', 'x-forwarded-for': '127.0.0.1', 'x-forwarded-proto': 'http' })
    for (const h of ['authorization', 'keep-alive', 'x-hop']) expect(sent.headers[h], h).toBeUndefined()
    const made = await fetch(`${gw.url}/v1/predict`, { method: 'POST', body: 'x' })
    const id = made.headers.get('x-request-id')
    expect(id).toMatch(/^[0-9a-f-]{36}$/)
    expect((await json(made)).request_id).toBe(id)
    expect(made.headers.get('x-xrayops-colour')).toBe('upstream')
  })

  it('passes a compressed answer on decoded, without the encoding header that no longer fits it', async () => {
    const res = await new Promise<http.IncomingMessage>((resolve) => http.get(`${gw.url}/v1/gzip`, resolve))
    expect(res.headers['content-encoding']).toBeUndefined()
    expect(JSON.parse(await readAll(res))).toEqual({ served_by: 'single', compressed: true })
  })

  it('answers 503 naming why when the upstream is not ready, and never forwards then', async () => {
    stub.ready = false
    try {
      const health = await until('the gateway seeing the upstream not ready', async () => {
        const res = await fetch(`${gw.url}/health`)
        return res.status === 503 ? json(res) : undefined
      })
      expect(health.reason).toMatch(/the live colour upstream is not ready: \/v2\/health\/ready answered 503/)
      const before = stub.seen.filter((s) => s.url.startsWith('/v1/')).length
      const res = await fetch(`${gw.url}/v1/predict`, { method: 'POST', body: 'x' })
      expect(res.status).toBe(503)
      expect((await json(res)).error.code).toBe('UPSTREAM_NOT_READY')
      expect(stub.seen.filter((s) => s.url.startsWith('/v1/')).length).toBe(before)
    } finally {
      stub.ready = true
    }
  })
})

describe('blue/green from the state database', () => {
  let dir: string
  let state: State
  let other: State
  let blue: Stub
  let green: Stub
  let gw: RunningGateway
  const model = (version: string) => ({ name: 'pneumonia', version, sha256: sha256(new Uint8Array(64).fill(Number(version[0]))) })

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xrayops-forward-'))
    state = await openState(dir)
    const { manifest: template } = await readManifest()
    const reg = new Registry(state)
    const checked = { architecture: 'efficientnet_b0', input: { name: 'input', height: 224, width: 224 }, cam: { height: 7, width: 7 }, warmupScore: 0.25, opset: 17, producer: 'test' }
    for (const v of ['1.0.0', '2.0.0']) {
      const bytes = new Uint8Array(64).fill(Number(v[0]))
      reg.register({ name: 'pneumonia', version: v, bytes, sha256: sha256(bytes), checked, template, warmupImage: { name: 'w.jpeg', bytes: new Uint8Array([1]) }, actor: 'tester' })
    }
    blue = await startStub('blue', model('1.0.0'))
    green = await startStub('green', model('2.0.0'))
    const port = (s: Stub) => Number(new URL(s.url).port)
    setEnvironment(state.db, 'blue', { modelId: reg.find('1.0.0').id, host: '127.0.0.1', port: port(blue), runner: 'process', state: 'ready' })
    setEnvironment(state.db, 'green', { modelId: reg.find('2.0.0').id, host: '127.0.0.1', port: port(green), runner: 'process', state: 'ready' })
    commitSwitch(state, { to: 'blue', actor: 'tester' })
    gw = await startGateway(testConfig({ state: { dir }, gateway: { host: '127.0.0.1', port: 0, checkIntervalMs: 100 } }))
    // The switches below come from another connection, as from the CLI in another process.
    other = await openState(dir)
  })
  afterEach(() => blue.release())
  afterAll(async () => {
    await gw?.close(1000)
    other?.close()
    state?.close()
    await blue?.close()
    await green?.close()
    fs.rmSync(dir, { recursive: true, force: true })
  })

  const health = async () => json(await fetch(`${gw.url}/health`))

  it('routes to the live colour from the database, and names colour and generation on the answer', async () => {
    const res = await fetch(`${gw.url}/v1/predict`, { method: 'POST', body: 'x' })
    expect(res.status).toBe(200)
    expect(res.headers.get('x-xrayops-colour')).toBe('blue')
    expect(res.headers.get('x-xrayops-generation')).toBe('1')
    expect((await json(res)).served_by).toBe('blue')
    expect(await health()).toMatchObject({ status: 'ok', live: 'blue', generation: 1, upstreams: { blue: { ready: true, model: model('1.0.0') }, green: { ready: true } } })
  })

  it('switches atomically: the request in flight finishes on blue, new ones go to green', async () => {
    const held = fetch(`${gw.url}/v1/hold`, { method: 'POST', body: 'x' })
    await blue.held()
    expect((await health()).upstreams.blue.in_flight).toBe(1)
    commitSwitch(other, { to: 'green', from: 'blue', actor: 'tester', reason: 'test' }) // another process's commit
    await until('the gateway routing by generation 2', async () => (await health()).generation === 2)
    const fresh = await fetch(`${gw.url}/v1/predict`, { method: 'POST', body: 'x' })
    expect(fresh.headers.get('x-xrayops-colour')).toBe('green')
    expect(fresh.headers.get('x-xrayops-generation')).toBe('2')
    expect((await json(fresh)).served_by).toBe('green')
    expect((await health()).upstreams.blue.in_flight).toBe(1) // still there, untouched by the switch
    blue.release()
    const old = await held
    expect(old.status).toBe(200)
    expect(old.headers.get('x-xrayops-colour')).toBe('blue')
    expect(old.headers.get('x-xrayops-generation')).toBe('1')
    expect((await json(old)).served_by).toBe('blue')
    expect((await health()).upstreams.blue.in_flight).toBe(0)
  })

  it('counts a streamed answer in flight until its last byte (a drain waits for it)', async () => {
    commitSwitch(other, { to: 'blue', from: 'green', actor: 'tester' })
    await until('the gateway routing by generation 3', async () => (await health()).generation === 3)
    const res = await new Promise<http.IncomingMessage>((resolve) => http.get(`${gw.url}/v1/download`, resolve))
    await new Promise((resolve) => res.once('data', resolve))
    commitSwitch(other, { to: 'green', from: 'blue', actor: 'tester' })
    await until('the gateway routing by generation 4', async () => (await health()).generation === 4)
    expect((await health()).upstreams.blue.in_flight).toBe(1)
    blue.finishDownload()
    await readAll(res)
    await until('blue drained', async () => (await health()).upstreams.blue.in_flight === 0)
  })
})
