/**
 * `xrayops recover` end to end with real processes on free loopback ports: blue serves 1.0.0
 * (live), green 2.0.0; a backup is taken; then the site is wrecked (every service SIGKILLed, the
 * database overwritten with garbage, the model store emptied). recover restores the backup,
 * starts the recorded versions again and checks them: the gateway answers the golden images with
 * 1.0.0's golden scores and green answers with 2.0.0's, computed apart from the servers.
 */
import fs from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { goldenImages, makeSite, registerVersions, type Site, statusOf } from '../helpers/releases.ts'

const { images, expected } = goldenImages()
let site: Site

beforeAll(async () => {
  site = await makeSite('recover')
  await registerVersions(site)
})
afterAll(async () => {
  await site?.cli(['stop', '--all', '--yes'])
  site?.close()
})

async function predictAt(url: string, image: number) {
  const res = await fetch(`${url}/v1/predict`, { method: 'POST', headers: { 'content-type': 'image/jpeg', 'cache-control': 'no-cache' }, body: images[image] })
  expect(res.status).toBe(200)
  return (await res.json()) as { model: { version: string }; probabilities: { PNEUMONIA: number } }
}

describe('xrayops recover --from-backup latest', () => {
  it('brings back a wrecked site: the recorded versions answer with their golden scores', async () => {
    for (const [colour, version] of [
      ['blue', '1.0.0'],
      ['green', '2.0.0'],
    ]) {
      const r = await site.cli(['deploy', '--environment', colour!, '--version', version!])
      expect(r.code, r.stderr).toBe(0)
    }
    const b = await site.cli(['backup'])
    expect(b.code, b.stderr).toBe(0)

    // The wreck: every service killed, the database garbage, the model files gone.
    site.killAll()
    for (const f of ['xrayops.db-wal', 'xrayops.db-shm']) fs.rmSync(path.join(site.state, f), { force: true })
    fs.writeFileSync(path.join(site.state, 'xrayops.db'), Buffer.alloc(64 * 1024, 0x5a))
    fs.rmSync(path.join(site.state, 'models'), { recursive: true, force: true })
    expect((await site.cli(['status', '--json'])).code).not.toBe(0)

    // Not on a terminal and no --yes: refused, nothing touched.
    const refused = await site.cli(['recover', '--from-backup', 'latest'])
    expect(refused.code).toBe(1)
    expect(refused.stderr).toMatch(/--yes/)
    expect(fs.readFileSync(path.join(site.state, 'xrayops.db'))[0]).toBe(0x5a)

    const r = await site.cli(['recover', '--from-backup', 'latest', '--yes', '--json'])
    expect(r.code, r.stderr).toBe(0)
    const out = JSON.parse(r.stdout)
    expect(out.ok).toBe(true)
    expect(out.steps.map((s: { colour: string; action: string }) => `${s.colour} ${s.action}`)).toEqual(['blue deployed', 'green deployed'])
    expect(out.validation.checks.filter((c: { ok: boolean }) => !c.ok)).toEqual([])

    const st = await statusOf(site)
    expect(st.live).toBe('blue')
    for (let i = 0; i < images.length; i += 3) {
      const viaGateway = await predictAt(site.gatewayUrl, i)
      expect(viaGateway.model.version).toBe('1.0.0')
      expect(Math.abs(viaGateway.probabilities.PNEUMONIA - expected('1.0.0', i))).toBeLessThan(1e-3)
      const green = await predictAt(`http://127.0.0.1:${site.ports.green}`, i)
      expect(green.model.version).toBe('2.0.0')
      expect(Math.abs(green.probabilities.PNEUMONIA - expected('2.0.0', i))).toBeLessThan(1e-3)
    }
    const history = await site.cli(['registry', 'history', '--all', '--json'])
    expect(history.stdout).toMatch(/state\.restore/)
    // The recovered site passes validate: both colours, their known images, the gateway, the backup.
    const v = await site.cli(['validate', '--json', '--disk-free-min', '1', '--memory-used-max', '99'])
    expect(v.code, v.stdout + v.stderr).toBe(0)
    const checks = Object.fromEntries(JSON.parse(v.stdout).checks.map((c: { name: string; status: string }) => [c.name, c.status]))
    expect(checks).toMatchObject({ 'model blue health': 'pass', 'model blue known image': 'pass', 'model green health': 'pass', 'model green known image': 'pass', gateway: 'pass', 'backup recent': 'pass' })
  }, 600_000)

  it('refuses a damaged backup before it stops anything: the running services keep answering', async () => {
    const list = JSON.parse((await site.cli(['backup', '--list', '--json'])).stdout) as { dir: string }[]
    const bad = path.join(site.dir, 'damaged-backup')
    fs.cpSync(list[0]!.dir, bad, { recursive: true })
    const model = fs.readdirSync(path.join(bad, 'state/models')).find((f) => f.endsWith('.onnx'))!
    const fd = fs.openSync(path.join(bad, 'state/models', model), 'r+')
    fs.writeSync(fd, Buffer.from([0xff]), 0, 1, 4096)
    fs.closeSync(fd)
    const r = await site.cli(['recover', '--from-backup', bad, '--yes'])
    expect(r.code).toBe(1)
    expect(r.stderr).toMatch(/BACKUP_INVALID/)
    expect((await statusOf(site)).colours.map((c: { colour: string; ready: boolean }) => `${c.colour} ${c.ready}`)).toEqual(['blue true', 'green true'])
    const answer = await predictAt(site.gatewayUrl, 0)
    expect(answer.model.version).toBe('1.0.0')
  }, 120_000)
})
