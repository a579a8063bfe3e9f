/**
 * `--systemd` and `--kubernetes` wiring of the release commands. systemd is not PID 1 on the
 * machines these tests run on, so what is tested is the refusal there, the environment file a
 * deploy writes, and the exact systemctl command lines (a stand-in systemctl records them); the
 * units under a real systemd are exercised by scripts/systemd-smoke (docs/DEPLOY.md).
 */
import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parse } from 'yaml'
import { configDefaults } from '../../src/config/keys.ts'
import { type ReleaseContext } from '../../src/deploy/context.ts'
import { deploy } from '../../src/deploy/deploy.ts'
import { SystemctlRunner, systemdBooted } from '../../src/deploy/systemctl.ts'
import { checkSystemd, colourEnvironment, systemdTarget } from '../../src/deploy/systemd-deploy.ts'
import { readManifest } from '../../src/models/manifest.ts'
import { Registry } from '../../src/registry/registry.ts'
import { sha256 } from '../../src/registry/store.ts'
import { openState, type State } from '../../src/state/db.ts'
import { listEvents } from '../../src/state/events.ts'
import { getEnvironment } from '../../src/state/environments.ts'
import { xrayops } from '../helpers/cli.ts'
import { freePort } from '../helpers/process.ts'
import { unknownFields, validate } from '../helpers/k8s-schema.ts'

let dir: string
let log: string
let systemctl: string

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xrayops-systemd-deploy-'))
  log = path.join(dir, 'systemctl.log')
  systemctl = path.join(dir, 'systemctl')
  // Records its command line; answers `show` as systemd does for a running unit.
  fs.writeFileSync(
    systemctl,
    `#!/bin/sh\necho "$@" >> ${log}\n[ "$1" = show ] && printf 'ActiveState=active\\nSubState=running\\nMainPID=4242\\nActiveEnterTimestamp=Tue 2026-12-01 10:00:00 UTC\\n'\nexit 0\n`,
    { mode: 0o755 },
  )
})
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }))

const recorded = () => (fs.existsSync(log) ? fs.readFileSync(log, 'utf8').trim().split('\n') : [])

const booted = systemdBooted()
if (booted) console.warn('SKIPPING the refusal test of --systemd: systemd runs this host, so --systemd is not refused here')

describe('--systemd', () => {
  it.skipIf(booted)('is refused where systemd does not run, before anything changes', async () => {
    const state = path.join(dir, 'state-refused')
    const r = await xrayops(['deploy', '--systemd', '--environment', 'blue', '--version', '1.0.0', '--state-dir', state])
    expect(r.code).toBe(1)
    expect(r.stderr).toMatch(/SERVICE_FAILED: --systemd: systemd is not running on this host \(no \/run\/systemd\/system\), so there are no units to drive; run without --systemd/)
    expect(fs.existsSync(path.join(state, 'xrayops.db'))).toBe(false) // refused before the state was opened
    for (const cmd of [['restart', '--service', 'gateway'], ['stop', '--all', '--yes'], ['status']]) {
      const x = await xrayops([...cmd, '--systemd', '--state-dir', state])
      expect(x.code, cmd.join(' ')).toBe(1)
      expect(x.stderr).toMatch(/--systemd: systemd is not running on this host/)
    }
  })

  it('needs the units installed, and says how', () => {
    const run = fs.mkdtempSync(path.join(dir, 'run-'))
    const units = fs.mkdtempSync(path.join(dir, 'units-'))
    expect(() => checkSystemd(systemdTarget({ runDir: path.join(dir, 'absent'), unitDir: units }))).toThrow(/systemd is not running on this host/)
    expect(() => checkSystemd(systemdTarget({ runDir: run, unitDir: units }))).toThrow(
      /xrayops-gateway\.service and xrayops-model@\.service are not installed in .*; run `sudo xrayops systemd install --yes` first/,
    )
    for (const u of ['xrayops-gateway.service', 'xrayops-model@.service']) fs.writeFileSync(path.join(units, u), '')
    expect(() => checkSystemd(systemdTarget({ runDir: run, unitDir: units }))).not.toThrow()
  })

  it('writes the colour environment file the unit template reads', () => {
    const t = systemdTarget({ configDir: '/etc/xrayops' })
    const f = colourEnvironment(t, 'green', { host: '127.0.0.1', port: 8002, modelPath: '/var/lib/xrayops/models/ab12.json' })
    expect(f.path).toBe('/etc/xrayops/model-green.env')
    expect(f.content.split('\n').filter((l) => !l.startsWith('#'))).toEqual(['HOST=127.0.0.1', 'PORT=8002', 'XRAYOPS_HEALTH_PORT=9002', 'MODEL_PATH=/var/lib/xrayops/models/ab12.json', ''])
    // Read back the way systemd's EnvironmentFile= does (KEY=value lines, # comments): by the shell here.
    const file = path.join(dir, 'model-green.env')
    fs.writeFileSync(file, f.content)
    const env = execFileSync('sh', ['-c', 'set -a; . "$0"; env', file], { encoding: 'utf8', env: {} })
    expect(env).toMatch(/^MODEL_PATH=\/var\/lib\/xrayops\/models\/ab12\.json$/m)
    expect(() => colourEnvironment(t, 'blue', { host: '127.0.0.1', port: 8001, modelPath: '/var/lib/my models/x.json' })).toThrow(/cannot go into a systemd environment file/)
  })

  it('drives the units with these systemctl command lines', async () => {
    const r = new SystemctlRunner({ systemctl })
    await r.restart('model@blue')
    await r.stop('gateway')
    await r.start('gateway')
    expect(await r.status('model@green')).toEqual({ name: 'model@green', state: 'active', detail: 'running', pid: 4242, since: '2026-12-01T10:00:00.000Z' })
    expect(recorded().slice(-4)).toEqual([
      'restart xrayops-model@blue.service',
      'stop xrayops-gateway.service',
      'start xrayops-gateway.service',
      'show --property=ActiveState,SubState,MainPID,ActiveEnterTimestamp xrayops-model@green.service',
    ])
  })

  it('a deploy writes MODEL_PATH, restarts the unit, checks the colour, and on failure stops it and records why', async () => {
    let state: State | undefined
    try {
      state = await openState(fs.mkdtempSync(path.join(dir, 'state-')))
      const { manifest: template } = await readManifest()
      const reg = new Registry(state)
      const bytes = fs.readFileSync(new URL('../../models/pneumonia-efficientnet_b0-v1.onnx', import.meta.url))
      const checked = { architecture: 'efficientnet_b0', input: { name: 'input', height: 224, width: 224 }, cam: { height: 7, width: 7 }, warmupScore: 0.5, opset: 17, producer: 'test' }
      const model = reg.register({ name: 'pneumonia', version: '1.0.0', bytes, sha256: sha256(bytes), checked, template, warmupImage: { name: 'w.jpeg', bytes: new Uint8Array([1]) }, actor: 'tester' })
      const config = configDefaults()
      config.deploy.bluePort = await freePort() // nothing listens there: the unit "started", the colour never answers
      config.gateway.port = await freePort()
      const configDir = fs.mkdtempSync(path.join(dir, 'etc-'))
      fs.rmSync(log, { force: true })
      const rc: ReleaseContext = { state, registry: reg, config, actor: 'tester', self: ['xrayops'], systemd: systemdTarget({ configDir, systemctl }), say: () => {} }
      await expect(deploy(rc, { colour: 'blue', version: '1.0.0' })).rejects.toMatchObject({ code: 'ENVIRONMENT_NOT_READY', message: expect.stringMatching(/blue did not become ready with pneumonia@1\.0\.0, traffic unchanged: not ready: connection refused/) })
      expect(fs.readFileSync(path.join(configDir, 'model-blue.env'), 'utf8')).toContain(`MODEL_PATH=${reg.manifestPath(model)}\n`)
      expect(recorded()).toEqual(['restart xrayops-model@blue.service', 'stop xrayops-model@blue.service'])
      expect(getEnvironment(state.db, 'blue')).toMatchObject({ state: 'failed', runner: 'systemd', port: config.deploy.bluePort })
      expect(listEvents(state.db).map((e) => e.action).slice(0, 2)).toEqual(['env.deploy_failed', 'env.deploying'])
    } finally {
      state?.close()
    }
  })
})

describe('--kubernetes', () => {
  it('prints the colour manifests (valid Kubernetes objects) with the Service switch, or without it', async () => {
    const r = await xrayops(['deploy', '--kubernetes', '--environment', 'green', '--version', 'v2.0.0', '--state-dir', path.join(dir, 'k8s-state')])
    expect(r.code, r.stderr).toBe(0)
    const objects = r.stdout.split(/^---$/m).map((d) => parse(d))
    expect(objects.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual(['Deployment/model-server-green', 'HorizontalPodAutoscaler/model-server-green', 'Service/model-server'])
    expect(objects[0].metadata.labels).toMatchObject({ colour: 'green', 'xrayops.io/model-version': '2.0.0' })
    expect(objects[2].spec.selector).toEqual({ 'app.kubernetes.io/name': 'model-server', colour: 'green' })
    for (const o of objects) {
      await expect(validate(o), o.kind).resolves.toBeUndefined()
      expect(unknownFields(o), o.kind).toEqual([])
    }
    const noSwitch = await xrayops(['deploy', '--kubernetes', '--no-switch', '--environment', 'green', '--version', '2.0.0'])
    expect(noSwitch.stdout).not.toMatch(/kind: Service\b/)
    const bad = await xrayops(['deploy', '--kubernetes', '--environment', 'green', '--version', 'two'])
    expect(bad.code).toBe(1)
    expect(bad.stderr).toMatch(/INVALID_VERSION/)
  })
})
