/**
 * Blue/green end to end on loopback, with real processes started by the real CLI: blue serves
 * 1.0.0 (the shipped model), green 2.0.0 (a real, different ONNX file). Traffic is switched and
 * rolled back while a load generator sends real X-rays; no request fails, and every answer is
 * checked exactly:
 * - its score is the one its model gives that image (computed apart from the servers: golden
 *   outputs, and their known shift for 2.0.0), and its model version is that of the colour the
 *   gateway names in X-Xrayops-Colour;
 * - that colour was live at some moment between sending and receiving: the old one for answers
 *   received before the switch command started, the new one for requests sent after it returned
 *   (it returns once the gateway routes by the new generation), either one only in between;
 * - no answer goes back in time: a request sent after another's answer arrived was routed by the
 *   same generation or a later one.
 * Then killing the live model server makes the gateway's /health say so, and the gateway stops
 * routing there (503, never tried) until traffic is switched to the other colour.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runTimedLoad, type TimedResult } from '../../src/ops/load.ts'
import { goldenImages, makeSite, registerVersions, type Site, statusOf, until } from '../helpers/releases.ts'
import { json, parsePrometheus } from '../helpers/server.ts'

const VERSION = { blue: '1.0.0', green: '2.0.0' } as const
type Colour = keyof typeof VERSION
const { images, expected } = goldenImages()

let site: Site

beforeAll(async () => {
  site = await makeSite('bluegreen')
  await registerVersions(site)
})
afterAll(async () => {
  await site?.cli(['stop', '--all', '--yes'])
  site?.close()
})

/** Runs `op` while the load runs: at least `n` answers before it starts, `n` requests sent after it returned. */
async function underLoad(op: () => Promise<void>, n = 24) {
  const window = { start: Number.POSITIVE_INFINITY, end: Number.POSITIVE_INFINITY }
  let before = 0
  let after = 0
  let wake = () => {}
  const load = runTimedLoad(site.gatewayUrl, images, {
    concurrency: 4,
    maxRequests: 4000,
    stop: () => after >= n,
    onResult: (r) => {
      if (r.received < window.start) before++
      if (r.sent > window.end) after++
      wake()
    },
  })
  await new Promise<void>((resolve) => (wake = () => before >= n && resolve()))
  window.start = performance.now()
  await op()
  window.end = performance.now()
  return { results: await load, window }
}

/** The exact checks of the file's comment, for one operation that moved traffic from `from` to `to`. */
function checkAnswers(results: TimedResult[], window: { start: number; end: number }, from: Colour, to: Colour) {
  const failed = results.filter((r) => r.status !== 200)
  expect(failed.map((r) => `${r.status} ${JSON.stringify(r.body)}`)).toEqual([])
  const generations = new Map<number, Colour>()
  for (const r of results) {
    const colour = r.headers['x-xrayops-colour'] as Colour
    const generation = Number(r.headers['x-xrayops-generation'])
    // biome-ignore lint: the answer's JSON
    const body = r.body as any
    expect(body.model.version, `answer from ${colour}`).toBe(VERSION[colour])
    expect(Math.abs(body.probabilities.PNEUMONIA - expected(body.model.version, r.image))).toBeLessThan(1e-3)
    const allowed = r.received < window.start ? [from] : r.sent > window.end ? [to] : [from, to]
    expect(allowed, `sent ${r.sent - window.start} ms after the switch began, received ${r.received - window.start}`).toContain(colour)
    if (!generations.has(generation)) generations.set(generation, colour)
    expect(generations.get(generation), `generation ${generation} names one colour`).toBe(colour)
  }
  const bySent = [...results].sort((a, b) => a.sent - b.sent)
  for (const r of bySent) {
    const earlier = results.filter((x) => x.received < r.sent)
    const latest = Math.max(0, ...earlier.map((x) => Number(x.headers['x-xrayops-generation'])))
    expect(Number(r.headers['x-xrayops-generation'])).toBeGreaterThanOrEqual(latest)
  }
  const count = (c: Colour) => results.filter((r) => r.headers['x-xrayops-colour'] === c).length
  expect(count(from)).toBeGreaterThan(0)
  expect(count(to)).toBeGreaterThan(0)
  const firstNew = Math.min(...results.filter((r) => r.headers['x-xrayops-colour'] === to).map((r) => r.sent))
  return {
    total: results.length,
    [from]: count(from),
    [to]: count(to),
    // Old-colour answers still in flight when the first request that went to the new colour was sent: finished where they were.
    oldInFlightAtSwitch: results.filter((r) => r.headers['x-xrayops-colour'] === from && r.received > firstNew).length,
    inWindow: results.filter((r) => r.received >= window.start && r.sent <= window.end).length,
  }
}

const ok = async (args: string[]) => {
  const r = await site.cli(args)
  expect(r.code, `xrayops ${args.join(' ')}: ${r.stderr}`).toBe(0)
  return r
}

const predict = (img = 0) => fetch(`${site.gatewayUrl}/v1/predict`, { method: 'POST', headers: { 'content-type': 'image/jpeg' }, body: images[img] })

describe('blue/green through the gateway', () => {
  it('deploys blue (which becomes live and brings up the gateway), then green beside it', async () => {
    const blue = await ok(['deploy', '--environment', 'blue', '--version', '1.0.0'])
    expect(blue.stdout).toMatch(/blue: pneumonia@1\.0\.0 ready on port \d+, live; gateway started/)
    await ok(['deploy', '--environment', 'green', '--version', 'v2.0.0'])
    const s = await statusOf(site)
    expect(s.live).toBe('blue')
    expect(s.colours.map((c: { colour: string; version: string; port: number; state: string; ready: boolean }) => [c.colour, c.version, c.port, c.state, c.ready])).toEqual([
      ['blue', '1.0.0', site.ports.blue, 'ready', true],
      ['green', '2.0.0', site.ports.green, 'ready', true],
    ])
    expect(s.gateway.view).toMatchObject({ ready: true, live: 'blue' })
    const res = await predict(3)
    expect(res.headers.get('x-xrayops-colour')).toBe('blue')
    expect((await json(res)).model.version).toBe('1.0.0')
  })

  it('switches traffic to green under load: nothing fails, every answer names the version live then', async () => {
    const { results, window } = await underLoad(async () => {
      await ok(['switch-traffic', '--from', 'blue', '--to', 'green', '--reason', 'release 2.0.0'])
    })
    const counts = checkAnswers(results, window, 'blue', 'green')
    console.info('switch blue -> green under load:', counts)
    expect((await statusOf(site)).live).toBe('green')
  })

  it('rolls back to 1.0.0 under load, the same way', async () => {
    const { results, window } = await underLoad(async () => {
      const r = await ok(['rollback', '--to-version', 'v1.0.0'])
      expect(r.stderr).toMatch(/blue runs pneumonia@1\.0\.0 and is ready: switching back/)
    })
    const counts = checkAnswers(results, window, 'green', 'blue')
    console.info('rollback green -> blue under load:', counts)
    const s = await statusOf(site)
    expect(s.live).toBe('blue')
    expect(s.lastGood).toBe('pneumonia@1.0.0')
    expect(s.events.find((e: { action: string }) => e.action === 'release.rollback')).toMatchObject({ subject: 'green->blue' })
  })

  it('refuses to switch to a colour that is not ready, and to restart the live colour, saying why', async () => {
    await ok(['stop', '--service', 'model-server', '--environment', 'green', '--yes'])
    const refused = await site.cli(['switch-traffic', '--from', 'blue', '--to', 'green'])
    expect(refused.code).toBe(1)
    expect(refused.stderr).toMatch(/ENVIRONMENT_NOT_READY: traffic stays on blue: green is stopped, not ready/)
    const live = await site.cli(['deploy', '--environment', 'blue', '--version', '2.0.0'])
    expect(live.code).toBe(1)
    expect(live.stderr).toMatch(/ENVIRONMENT_LIVE: blue is live: deploy to green and switch/)
    expect((await statusOf(site)).live).toBe('blue')
  })

  it('deploy-model to production: a failed health check never switches, and says why', async () => {
    const s = await statusOf(site)
    // 2.0.0's manifest now expects another warm-up answer: its server loads and fails its readiness check.
    const info = JSON.parse((await ok(['registry', 'info', '--version', '2.0.0', '--json'])).stdout)
    const fs = await import('node:fs')
    const manifest = JSON.parse(fs.readFileSync(info.manifest, 'utf8'))
    const original = JSON.stringify(manifest, null, 2)
    manifest.warmup.score = 0.5
    fs.writeFileSync(info.manifest, JSON.stringify(manifest, null, 2))
    try {
      const r = await site.cli(['deploy-model', '--model-version', '2.0.0', '--environment', 'production'])
      expect(r.code).toBe(1)
      expect(r.stderr).toMatch(/ENVIRONMENT_NOT_READY: green did not become ready with pneumonia@2\.0\.0, traffic unchanged: .*warm-up answer/s)
    } finally {
      fs.writeFileSync(info.manifest, `${original}\n`)
    }
    const after = await statusOf(site)
    expect(after.live).toBe('blue')
    expect(after.generation).toBe(s.generation)
    expect(after.colours[1]).toMatchObject({ colour: 'green', state: 'failed' })
    expect(after.events[0]).toMatchObject({ action: 'env.deploy_failed', subject: 'green' })
    // With the manifest restored, the same release goes through: green deployed, checked, switched.
    const again = await ok(['deploy-model', '--model-version', '2.0.0', '--environment', 'production', '--reason', 'second try'])
    expect(again.stderr).toMatch(/green: health check passed/)
    expect((await statusOf(site)).live).toBe('green')
    await ok(['rollback-model', '--to-version', '1.0.0', '--reason', 'Performance degradation'])
    const back = await statusOf(site)
    expect(back.live).toBe('blue')
    expect(back.events[0]).toMatchObject({ action: 'model.rollback', subject: 'green->blue', reason: 'Performance degradation' })
  })

  it('killing the live model server: the gateway /health says so, and it stops routing there', async () => {
    const s = await statusOf(site)
    const blue = s.colours.find((c: { colour: string }) => c.colour === 'blue')
    expect(blue.service.pid).toBeGreaterThan(1)
    process.kill(blue.service.pid, 'SIGKILL')
    const health = await until('the gateway reporting blue down', async () => {
      const res = await fetch(`${site.gatewayUrl}/health`)
      return res.status === 503 ? json(res) : undefined
    })
    expect(health).toMatchObject({ status: 'down', live: 'blue', upstreams: { blue: { ready: false }, green: { ready: true } } })
    expect(health.reason).toMatch(/^the live colour blue is not ready: connection refused/)
    // Never tried: the gateway answers 503 itself, for every request, until traffic moves.
    for (let i = 0; i < 4; i++) {
      const res = await predict(i)
      expect(res.status).toBe(503)
      expect(res.headers.get('retry-after')).toBe('1')
      expect((await json(res)).error).toMatchObject({ code: 'UPSTREAM_NOT_READY', message: expect.stringMatching(/live colour blue is not ready/) })
    }
    const metrics = parsePrometheus(await (await fetch(`${site.gatewayUrl}/metrics`)).text())
    expect(metrics.get('xray_gateway_upstream_up{colour="blue"}')).toBe(0)
    expect(metrics.get('xray_gateway_upstream_up{colour="green"}')).toBe(1)
    expect(metrics.get('xray_gateway_requests_total{route="/v1/predict",status="503",colour="blue"}')).toBeGreaterThanOrEqual(4)
    const status = await statusOf(site)
    expect(status.colours[0]).toMatchObject({ colour: 'blue', ready: false, service: { state: 'failed' } })
    // The operator moves traffic to green: answers come from green.
    await ok(['switch-traffic', '--from', 'blue', '--to', 'green', '--reason', 'blue died'])
    const res = await predict(5)
    expect(res.status).toBe(200)
    expect(res.headers.get('x-xrayops-colour')).toBe('green')
    expect((await json(res)).model.version).toBe('2.0.0')
    expect((await json(await fetch(`${site.gatewayUrl}/health`))).status).toBe('ok')
  })
})
