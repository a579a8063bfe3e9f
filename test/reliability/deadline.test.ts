/**
 * Work that waited too long to be useful is answered 504 DEADLINE_EXCEEDED instead of being run
 * (limits.queue_deadline): a capacity answer to the client, never a server failure. The engine
 * is held (pauseEngine) so that the waiting is certain, not a matter of timing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { readFixture } from '../helpers/fixtures.ts'
import { pauseEngine, until } from '../helpers/paused-engine.ts'
import { json, parsePrometheus, postImage, startApp } from '../helpers/server.ts'

const DEADLINE_MS = 200
const images = ['IM-0005-0001.jpeg', 'IM-0069-0001.jpeg', 'NORMAL2-IM-0051-0001.jpeg', 'NORMAL2-IM-0199-0001.jpeg'].map((f) => readFixture(`xray-224/NORMAL/${f}`))

describe(`per-request deadline (limits.queue_deadline = ${DEADLINE_MS} ms)`, () => {
  let s: ReturnType<typeof startApp>
  beforeAll(async () => {
    s = startApp({ limits: { queueDeadlineMs: DEADLINE_MS }, performance: { cacheSize: 0, cpuWorkers: 1, batchSize: 1 } })
    await s.loaded
  })
  afterAll(() => s?.close())

  it('images that waited behind held runs past the deadline get 504 and are never run; the held ones are answered', async () => {
    const service = s.ctx.host.service!
    const runs = async () => parsePrometheus(await (await s.fetch(`${s.url}/metrics`)).text()).get('xray_inference_duration_seconds_count') ?? 0
    const runsBefore = await runs()
    const paused = pauseEngine(service)
    // The engine takes `slots` runs at once (a model worker has the next one queued): fill them all.
    const slots = service.engine.slots ?? 1
    const first = Array.from({ length: slots }, (_, i) => postImage(s, images[i % images.length]!))
    await until(() => paused.started === slots)
    const late = images.slice(1).map((b) => postImage(s, b))
    await until(() => service.inProgress === slots + 3)
    // Longer than the deadline: the queued three are now past it, whatever the machine's speed.
    await new Promise((r) => setTimeout(r, DEADLINE_MS * 2))
    paused.resume()
    for (const res of await Promise.all(first)) expect(res.status).toBe(200)
    for (const res of await Promise.all(late)) {
      const body = await json(res)
      expect([res.status, body.error?.code], JSON.stringify(body).slice(0, 300)).toEqual([504, 'DEADLINE_EXCEEDED'])
      expect(body.error.message).toMatch(/limits\.queue_deadline/)
    }
    expect(await runs()).toBe(runsBefore + slots) // the held runs only: the late ones never reached the model
    const health = await json(await s.fetch(`${s.url}/health`))
    expect(health.status).toBe('ok')
    const m = parsePrometheus(await (await s.fetch(`${s.url}/metrics`)).text())
    expect(m.get('xray_prediction_errors_total{code="DEADLINE_EXCEEDED"}')).toBe(3)
    expect(m.get('xray_prediction_errors_total{code="INFERENCE_FAILED"}') ?? 0).toBe(0)
    // The server runs the next image at once.
    expect((await postImage(s, images[1]!)).status).toBe(200)
  })
})
