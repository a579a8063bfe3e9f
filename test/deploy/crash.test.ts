/**
 * State survives kill -9 of the CLI and of the gateway in the middle of a release operation
 * (test/helpers/crash-hook.mjs stops the process dead at a chosen point): after a restart,
 * `status` and the routing are as last committed, a lock left by the dead process holds nothing,
 * and the same operation run again goes through.
 */
import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { procInfo } from '../../src/deploy/process-info.ts'
import { killAtPause } from '../helpers/cli.ts'
import { bin } from '../helpers/process.ts'
import { goldenImages, makeSite, registerVersions, type Site, statusOf, until } from '../helpers/releases.ts'
import { json } from '../helpers/server.ts'

const { images } = goldenImages()
let site: Site
let admin: string

beforeAll(async () => {
  site = await makeSite('crash')
  await registerVersions(site)
  for (const [colour, version] of [
    ['blue', '1.0.0'],
    ['green', '2.0.0'],
  ]) {
    const r = await site.cli(['deploy', '--environment', colour, '--version', version])
    if (r.code !== 0) throw new Error(r.stderr)
  }
  admin = (await site.cli(['token', 'create', '--name', 'ops', '--scope', 'admin'])).stdout.trim()
})
afterAll(async () => {
  await site?.cli(['stop', '--all', '--yes'])
  site?.close()
})

const ok = async (args: string[]) => {
  const r = await site.cli(args)
  expect(r.code, `xrayops ${args.join(' ')}: ${r.stderr}`).toBe(0)
  return r
}

/** Where a prediction through the gateway goes now: [colour, model version]. */
async function routed(): Promise<[string | null, string]> {
  const res = await fetch(`${site.gatewayUrl}/v1/predict`, { method: 'POST', headers: { 'content-type': 'image/jpeg' }, body: images[0] })
  expect(res.status).toBe(200)
  return [res.headers.get('x-xrayops-colour'), (await json(res)).model.version]
}

/** The committed release state, as status shows it. */
const committed = async () => {
  const s = await statusOf(site)
  return { live: s.live, generation: s.generation, colours: s.colours.map((c: { colour: string; version: string; state: string }) => [c.colour, c.version, c.state]) }
}

describe('kill -9 of the CLI', () => {
  it('during a switch, before its commit: nothing switched; the retry switches', async () => {
    const before = await committed()
    expect(before.live).toBe('blue')
    const out = await killAtPause(['switch-traffic', '--from', 'blue', '--to', 'green'], 'sql:INSERT INTO events', site.env)
    expect(out).toMatch(/PAUSED INSERT INTO events/)
    expect(await committed()).toEqual(before)
    expect((await statusOf(site)).events[0].action).not.toBe('traffic.switch')
    expect(await routed()).toEqual(['blue', '1.0.0'])
    await ok(['switch-traffic', '--from', 'blue', '--to', 'green']) // the dead process's lock holds nothing
    expect(await committed()).toEqual({ ...before, live: 'green', generation: before.generation + 1 })
    expect(await routed()).toEqual(['green', '2.0.0'])
  })

  it('at the end of a switch, still holding the lock: the switch stands, the next command goes through', async () => {
    const before = await committed()
    await killAtPause(['switch-traffic', '--from', 'green', '--to', 'blue'], 'sql:UPDATE release_lock SET pid = NULL', site.env)
    expect(await committed()).toEqual({ ...before, live: 'blue', generation: before.generation + 1 })
    expect((await statusOf(site)).events[0]).toMatchObject({ action: 'traffic.switch', subject: 'green->blue' })
    expect(await routed()).toEqual(['blue', '1.0.0'])
    await ok(['health-check', '--environment', 'green']) // not a release command: no lock needed
    await ok(['switch-traffic', '--to', 'blue']) // the lock: taken over from the dead holder
  })

  it('during a deploy, after the new server started: the idle colour reads starting, traffic untouched; the retry cleans up', async () => {
    const before = await committed()
    const s0 = await statusOf(site)
    await killAtPause(['deploy', '--environment', 'green', '--version', '1.0.0'], 'after-rename:model-green\\.pid$', site.env)
    const after = await statusOf(site)
    expect(after.live).toBe('blue')
    expect(after.generation).toBe(before.generation)
    expect(after.colours[1]).toMatchObject({ colour: 'green', version: '1.0.0', state: 'starting' })
    const orphan = after.colours[1].service.pid
    expect(orphan).not.toBe(s0.colours[1].service.pid) // the new server the dead CLI started
    expect(await routed()).toEqual(['blue', '1.0.0'])
    await ok(['deploy', '--environment', 'green', '--version', '2.0.0'])
    const fixed = await statusOf(site)
    expect(fixed.colours[1]).toMatchObject({ colour: 'green', version: '2.0.0', state: 'ready', ready: true })
    expect(['gone', 'Z']).toContain(procInfo(orphan)?.state ?? 'gone') // the orphan was stopped through its pid file
    expect(fixed.events.map((e: { action: string }) => e.action).slice(0, 3)).toEqual(['env.deploy', 'env.deploying', 'env.deploying'])
  })
})

describe('kill -9 of the gateway', () => {
  it('at rest: status says so; restarted, it routes as committed', async () => {
    const s = await statusOf(site)
    process.kill(s.gateway.service.pid, 'SIGKILL')
    const down = await until('status showing the gateway dead', async () => {
      const x = await statusOf(site)
      return x.gateway.service.state === 'failed' ? x : undefined
    })
    expect(down.gateway.view).toBeNull()
    expect(down.live).toBe('blue')
    await ok(['restart', '--service', 'gateway'])
    expect(await routed()).toEqual(['blue', '1.0.0'])
    expect(await committed()).toMatchObject({ live: 'blue', generation: s.generation })
  })

  it('during an admin switch, inside its transaction: nothing switched; restarted, it routes as committed', async () => {
    const before = await committed()
    await ok(['stop', '--service', 'gateway', '--yes'])
    const hook = fileURLToPath(new URL('../helpers/crash-hook.mjs', import.meta.url))
    const gw = spawn(process.execPath, ['--import', hook, bin, 'gateway'], { env: { ...process.env, ...site.env, XRAYOPS_TEST_PAUSE: 'sql:UPDATE release_state' }, stdio: ['ignore', 'pipe', 'pipe'] })
    let out = ''
    gw.stdout!.on('data', (d) => (out += d))
    gw.stderr!.on('data', (d) => (out += d))
    const exited = new Promise((r) => gw.once('exit', r))
    try {
      await until('the hooked gateway answering', async () => (await fetch(`${site.gatewayUrl}/health`)).status === 200, 60_000)
      const call = fetch(`${site.gatewayUrl}/admin/traffic`, { method: 'POST', headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' }, body: '{"to":"green"}' })
      await until('the gateway pausing inside the switch', async () => out.includes('PAUSED UPDATE release_state'))
      gw.kill('SIGKILL')
      await expect(call).rejects.toThrow()
    } finally {
      gw.kill('SIGKILL')
      await exited
    }
    expect(await committed()).toEqual(before)
    await ok(['restart', '--service', 'gateway'])
    expect(await routed()).toEqual(['blue', '1.0.0'])
    // The same call, on the restarted gateway, goes through and is routed by at once.
    const res = await fetch(`${site.gatewayUrl}/admin/traffic`, { method: 'POST', headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' }, body: '{"to":"green","reason":"after the crash"}' })
    expect(res.status).toBe(200)
    expect(await json(res)).toMatchObject({ from: 'blue', to: 'green', changed: true, live: 'green', generation: before.generation + 1 })
    expect(await routed()).toEqual(['green', '2.0.0'])
    expect((await statusOf(site)).events[0]).toMatchObject({ action: 'traffic.switch', actor: 'token:ops', reason: 'after the crash' })
  })
})
