import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { expect, it } from 'vitest'
import { checkOptions, type GeneratedFile, type SystemdOptions, systemdDefaults, systemdFiles } from '../../src/deploy/systemd/index.ts'
import { describeWith } from '../helpers/require.ts'
import { exposure, systemdAnalyze, systemdSysusers, unitRoot, verifyUnit } from '../helpers/systemd.ts'

/** A unit file's settings as [section, key] -> values, read line by line (independent of the generator). */
function settings(text: string): Map<string, string[]> {
  const out = new Map<string, string[]>()
  let section = ''
  for (const line of text.split('\n')) {
    if (/^\s*(#|$)/.test(line)) continue
    const s = /^\[(.+)\]$/.exec(line)
    if (s) section = s[1]
    else {
      const i = line.indexOf('=')
      const k = `${section}.${line.slice(0, i)}`
      out.set(k, [...(out.get(k) ?? []), line.slice(i + 1)])
    }
  }
  return out
}
const one = (m: Map<string, string[]>, k: string) => m.get(k)?.at(-1)
const unitText = (files: GeneratedFile[], name: string) => files.find((f) => path.basename(f.path) === name)!.content

const custom: SystemdOptions = {
  ...systemdDefaults(),
  exec: '/opt/xrayops/bin/xrayops',
  user: 'xray_svc',
  stateDir: 'xray-state',
  cacheDir: 'xray-cache',
  configDir: '/etc/xray',
  config: '/etc/xray/server.yaml',
  gatewayPort: 9443,
  colours: { red: 7001, black: 7002, gold: 7003 },
  shutdownTimeoutMs: 90_000,
  readyTimeoutS: 600,
  model: { memoryMax: '64G', tasksMax: 4096, limitNofile: 1048576 },
  validateSchedule: '*-*-* 03:15:00',
  vkDriverFiles: '/usr/share/vulkan/icd.d/nvidia_icd.json',
}

describeWith(systemdAnalyze, 'generated units pass systemd-analyze verify with no warnings', () => {
  for (const [label, o] of [['defaults', systemdDefaults()], ['every option changed', custom]] as const) {
    it(`${label}: every unit and every colour instance`, () => {
      const files = systemdFiles(o)
      const root = unitRoot(files, o.exec)
      const units = ['xrayops-gateway.service', 'xrayops-validate.service', 'xrayops-validate.timer', ...Object.keys(o.colours).map((c) => `xrayops-model@${c}.service`)]
      for (const u of units) expect(verifyUnit(root, u), u).toEqual({ code: 0, stderr: '' })
      fs.rmSync(root, { recursive: true })
    })
  }

  it('the check catches a bad unit: an unknown key, a bad value, a missing executable', () => {
    const o = systemdDefaults()
    const files = systemdFiles(o)
    const root = unitRoot(files, o.exec)
    const gw = path.join(root, 'etc/systemd/system/xrayops-gateway.service')
    const good = fs.readFileSync(gw, 'utf8')
    fs.writeFileSync(gw, good.replace('[Service]\n', '[Service]\nProtectSytem=strict\n'))
    const typo = verifyUnit(root, 'xrayops-gateway.service')
    expect(typo.stderr).toMatch(/Unknown key 'ProtectSytem' in section \[Service\]/)
    expect(typo.code).toBe(0) // only the stderr check catches this one
    fs.writeFileSync(gw, good.replace('MemoryMax=1G', 'MemoryMax=1Q'))
    expect(verifyUnit(root, 'xrayops-gateway.service').stderr).toMatch(/Invalid memory limit '1Q'/)
    fs.writeFileSync(gw, good)
    const timer = path.join(root, 'etc/systemd/system/xrayops-validate.timer')
    fs.writeFileSync(timer, fs.readFileSync(timer, 'utf8').replace('OnCalendar=hourly', 'OnCalendar=hourlyx'))
    expect(verifyUnit(root, 'xrayops-validate.timer')).toMatchObject({ code: 1, stderr: expect.stringMatching(/Failed to parse calendar specification/) })
    fs.rmSync(path.join(root, o.exec))
    expect(verifyUnit(root, 'xrayops-model@blue.service')).toMatchObject({ code: 1, stderr: expect.stringMatching(/Command \/usr\/local\/bin\/xrayops is not executable/) })
    fs.rmSync(root, { recursive: true })
  })

  it('sandboxing: systemd-analyze security rates every service below 2.5 (0 = locked down, 10 = exposed)', () => {
    const files = systemdFiles(systemdDefaults())
    const root = unitRoot(files, systemdDefaults().exec)
    for (const u of ['xrayops-gateway.service', 'xrayops-model@.service', 'xrayops-validate.service']) {
      expect(exposure(root, `etc/systemd/system/${u}`), u).toBeLessThan(2.5)
    }
    fs.rmSync(root, { recursive: true })
  })
})

describeWith(systemdSysusers, 'the sysusers.d snippet', () => {
  it('creates the service user with no login shell and the state folder as home, and the GPU groups', () => {
    const files = systemdFiles(custom)
    const root = unitRoot(files, custom.exec)
    const r = spawnSync('systemd-sysusers', [`--root=${root}`, path.join(root, 'etc/sysusers.d/xrayops.conf')], { encoding: 'utf8' })
    expect(r.status, r.stderr).toBe(0)
    const passwd = fs.readFileSync(path.join(root, 'etc/passwd'), 'utf8').split('\n').find((l) => l.startsWith('xray_svc:'))!
    const [, , uid, gid, gecos, home, shell] = passwd.split(':')
    expect(Number(uid)).toBeLessThan(1000) // a system user
    const groups = fs.readFileSync(path.join(root, 'etc/group'), 'utf8')
    expect(groups).toContain(`xray_svc:x:${gid}:`)
    // the model servers' SupplementaryGroups= exist, or their units would fail with 216/GROUP
    for (const g of ['video', 'render']) expect(groups).toMatch(new RegExp(`^${g}:x:\\d+:`, 'm'))
    expect({ gecos, home, shell }).toEqual({ gecos: 'xrayops model server and gateway', home: '/var/lib/xray-state', shell: '/usr/sbin/nologin' })
    fs.rmSync(root, { recursive: true })
  })
})

it('the model server template: the executable itself, a dedicated user, sandboxing with GPU access, a drain-length stop, limits', () => {
  const files = systemdFiles(custom)
  const s = settings(unitText(files, 'xrayops-model@.service'))
  expect(one(s, 'Service.ExecStart')).toBe('/opt/xrayops/bin/xrayops serve --config /etc/xray/server.yaml --host ${HOST} --port ${PORT}')
  expect(one(s, 'Service.ExecStartPost')).toBe('/opt/xrayops/bin/xrayops health --wait-ready 600 --url http://${HOST}:${XRAYOPS_HEALTH_PORT}')
  expect(Number(one(s, 'Service.TimeoutStartSec'))).toBeGreaterThan(600)
  expect(one(s, 'Service.EnvironmentFile')).toBe('/etc/xray/model-%i.env')
  expect(s.get('Service.Environment')).toContain('XRAYOPS_SHUTDOWN_TIMEOUT_MS=90000')
  expect(s.get('Service.Environment')).toContain('VK_DRIVER_FILES=/usr/share/vulkan/icd.d/nvidia_icd.json')
  expect(Number(one(s, 'Service.TimeoutStopSec'))).toBeGreaterThan(90)
  for (const [k, v] of Object.entries({
    Type: 'exec',
    User: 'xray_svc',
    StateDirectory: 'xray-state',
    CacheDirectory: 'xray-cache',
    ProtectSystem: 'strict',
    ProtectHome: 'yes',
    PrivateTmp: 'yes',
    NoNewPrivileges: 'yes',
    Restart: 'on-failure',
    KillSignal: 'SIGTERM',
    DevicePolicy: 'closed',
    SupplementaryGroups: 'video render',
    MemoryMax: '64G',
    TasksMax: '4096',
    LimitNOFILE: '1048576',
  }))
    expect(one(s, `Service.${k}`), k).toBe(v)
  expect(s.get('Service.DeviceAllow')).toEqual(['char-nvidia* rw', 'char-drm rw'])
  expect(s.has('Service.PrivateDevices')).toBe(false)
  expect(s.has('Service.MemoryDenyWriteExecute')).toBe(false) // V8's JIT
})

it('the gateway, the validation job and its timer', () => {
  const files = systemdFiles(custom)
  const gw = settings(unitText(files, 'xrayops-gateway.service'))
  expect(one(gw, 'Service.ExecStart')).toBe('/opt/xrayops/bin/xrayops gateway --host 0.0.0.0 --port 9443')
  expect(one(gw, 'Service.ExecStartPost')).toBe('/opt/xrayops/bin/xrayops health --wait-ready 60 --answering --url http://127.0.0.1:9443')
  expect(one(gw, 'Service.PrivateDevices')).toBe('yes')
  const v = settings(unitText(files, 'xrayops-validate.service'))
  expect(one(v, 'Service.Type')).toBe('oneshot')
  expect(one(v, 'Service.ExecStart')).toBe('/opt/xrayops/bin/xrayops validate --comprehensive --config /etc/xray/server.yaml')
  const t = settings(unitText(files, 'xrayops-validate.timer'))
  expect({ on: one(t, 'Timer.OnCalendar'), unit: one(t, 'Timer.Unit'), wanted: one(t, 'Install.WantedBy') }).toEqual({
    on: '*-*-* 03:15:00',
    unit: 'xrayops-validate.service',
    wanted: 'timers.target',
  })
  const env = files.filter((f) => f.kind === 'env')
  expect(env.map((f) => [f.path, f.content.split('\n').filter((l) => /^[A-Z]/.test(l))])).toEqual([
    ['/etc/xray/model-red.env', ['HOST=127.0.0.1', 'PORT=7001', 'XRAYOPS_HEALTH_PORT=8001']],
    ['/etc/xray/model-black.env', ['HOST=127.0.0.1', 'PORT=7002', 'XRAYOPS_HEALTH_PORT=8002']],
    ['/etc/xray/model-gold.env', ['HOST=127.0.0.1', 'PORT=7003', 'XRAYOPS_HEALTH_PORT=8003']],
  ])
})

it('refuses options that would make a broken or unsafe unit, naming the option', () => {
  const d = systemdDefaults()
  const cases: [Partial<SystemdOptions>, RegExp][] = [
    [{ exec: 'xrayops' }, /^exec "xrayops"/],
    [{ exec: '/usr/bin/x rayops' }, /^exec/],
    [{ exec: '/opt/../bin/xrayops' }, /^exec/],
    [{ config: '/etc/%i.yaml' }, /^config/],
    [{ user: 'Root User' }, /^user/],
    [{ stateDir: '../etc' }, /^state-dir/],
    [{ colours: {} }, /^colours/],
    [{ colours: { Blue: 8001 } }, /^colour "Blue"/],
    [{ colours: { blue: 8001, green: 8001 } }, /^green port "8001".*already used by blue/],
    [{ colours: { blue: 8080 } }, /already used by the gateway/],
    [{ gatewayPort: 70000 }, /^gateway-port/],
    [{ model: { ...d.model, memoryMax: '16GB' } }, /^model memory-max/],
    [{ validateSchedule: 'hourly\nExecStart=/bin/sh' }, /^validate-schedule/],
  ]
  for (const [o, msg] of cases) expect(() => checkOptions({ ...d, ...o }), JSON.stringify(o)).toThrow(msg)
})
