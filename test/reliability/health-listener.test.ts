/**
 * Health that always answers: liveness and readiness on a listener of their own (health.port),
 * which neither a full admission nor a connection flood on the prediction port can reach; and
 * connection-level limits on the prediction port: past server.max_connections a new connection
 * is answered 503 (not reset), and a connection that never finishes its head is closed.
 */
import type net from 'node:net'
import { Worker } from 'node:worker_threads'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { readFixture } from '../helpers/fixtures.ts'
import { json, postImage, start } from '../helpers/server.ts'
import { connect, exchange } from '../helpers/sockets.ts'

const xray = readFixture('xray-224/NORMAL/IM-0005-0001.jpeg')

describe('the health listener and connection limits (real sockets)', () => {
  let s: Awaited<ReturnType<typeof start>>
  const held: net.Socket[] = []
  beforeAll(async () => {
    s = await start({ server: { maxConnections: 16, headersTimeoutMs: 1_500 }, performance: { cacheSize: 0 } })
    await s.loaded
  })
  afterAll(async () => {
    for (const h of held) h.destroy()
    await s?.close()
  })

  it('serves /health, /health/live, /health/ready and the OIP health routes on its own port, and no predictions', async () => {
    expect(s.healthUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
    expect(s.healthUrl).not.toBe(s.url)
    const health = await fetch(`${s.healthUrl}/health`)
    expect(health.status).toBe(200)
    expect((await json(health)).status).toBe('ok')
    expect(await json(await fetch(`${s.healthUrl}/health/live`))).toEqual({ live: true })
    expect(await json(await fetch(`${s.healthUrl}/health/ready`))).toEqual({ ready: true })
    expect(await json(await fetch(`${s.healthUrl}/v2/health/live`))).toEqual({ live: true })
    expect(await json(await fetch(`${s.healthUrl}/v2/health/ready`))).toEqual({ ready: true })
    expect((await fetch(`${s.healthUrl}/v1/predict`, { method: 'POST', body: xray })).status).toBe(404)
  })

  it('with the admission full, predictions get 503 and the health listener still answers ready', async () => {
    const service = s.ctx.host.service!
    const taken = service.admission.acquire({ images: service.admission.capacity, bytes: 0 })
    try {
      const res = await postImage(s, xray)
      expect([res.status, res.headers.get('retry-after'), (await json(res)).error.code]).toEqual([503, '1', 'OVERLOADED'])
      const ready = await fetch(`${s.healthUrl}/health/ready`)
      expect(ready.status).toBe(200)
      expect((await json(await fetch(`${s.healthUrl}/health`))).status).toBe('ok')
    } finally {
      taken()
    }
  })

  it('with every connection of the prediction port taken, a new one is answered 503 (not reset), and health still answers', async () => {
    const port = Number(new URL(s.url).port)
    // Slow clients: each sends half a request head and stalls.
    for (let i = 0; i < 16; i++) {
      const socket = await connect(port)
      socket.on('error', () => {})
      socket.resume() // reads what the server sends (a 408, a 503), so its close is seen
      socket.write('POST /v1/predict HTTP/1.1\r\nHost: test\r\n')
      held.push(socket)
    }
    const answer = await exchange(port, 'GET /health HTTP/1.1\r\nHost: test\r\n\r\n')
    expect(answer.end).toBe('closed')
    expect(answer.status).toBe(503)
    expect(answer.text).toMatch(/Retry-After: 1/i)
    expect(answer.text).toMatch(/"code":"OVERLOADED"/)
    expect((await fetch(`${s.healthUrl}/health`)).status).toBe(200)
  })

  it('closes connections that do not finish their request head within server.headers_timeout, and takes new ones again', async () => {
    await Promise.all(held.map((h) => new Promise<void>((r) => (h.destroyed || h.readableEnded ? r() : h.once('close', () => r())))))
    expect((await fetch(`${s.url}/health`)).status).toBe(200)
  })
})

describe('the health listener while the main event loop is blocked', () => {
  it('answers /health/ready and /health from its own thread while the server\'s main thread is held', async () => {
    const s = await start({ performance: { cacheSize: 0 } })
    try {
      await s.loaded
      await fetch(`${s.healthUrl}/health/ready`) // the thread is up and has a snapshot
      // A worker probes the health listener while this (the server's) thread is held in Atomics.wait:
      // it can answer only if it does not need this thread. The wait's bound ends the test otherwise.
      const shared = new Int32Array(new SharedArrayBuffer(12))
      const probe = new Worker(
        `const { workerData: { url, shared } } = require('node:worker_threads')
         Promise.all([fetch(url + '/health/ready'), fetch(url + '/health')])
           .then(async ([ready, health]) => { shared[1] = ready.status; shared[2] = health.status; await health.json() })
           .catch(() => { shared[1] = -1 })
           .finally(() => { Atomics.store(shared, 0, 1); Atomics.notify(shared, 0) })`,
        { eval: true, workerData: { url: s.healthUrl, shared } },
      )
      const woke = Atomics.wait(shared, 0, 0, 20_000) // the main thread is blocked here
      await probe.terminate()
      expect([woke, shared[1], shared[2]]).toEqual(['ok', 200, 200])
    } finally {
      await s.close()
    }
  })
})

describe('health.port = 0 turns the health listener off', () => {
  it('starts without one', async () => {
    const s = await start({ health: { port: 0 } }, { load: false })
    try {
      expect(s.healthUrl).toBeUndefined()
    } finally {
      await s.close()
    }
  })
})
