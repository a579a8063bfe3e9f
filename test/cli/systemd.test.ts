import { execFile } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'
import { afterAll, describe, expect, it } from 'vitest'
import { installFiles, systemdDefaults, systemdFiles } from '../../src/deploy/systemd/index.ts'
import { SystemctlRunner, parseShow, systemdBooted } from '../../src/deploy/systemctl.ts'
import { bin } from '../helpers/process.ts'
import { describeWith, tool } from '../helpers/require.ts'
import { systemdAnalyze, verifyUnit } from '../helpers/systemd.ts'

const run = promisify(execFile)
const xrayops = (...args: string[]) =>
  run(process.execPath, [bin, ...args], { env: { ...process.env, XRAYOPS_SHUTDOWN_TIMEOUT_MS: '' } }).then(
    (r) => ({ code: 0, stdout: r.stdout, stderr: r.stderr }),
    (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }),
  )

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'xrayops-systemd-cli-'))
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }))

describe('xrayops systemd print', () => {
  it('prints one unit exactly as the generator makes it, with the flags applied', async () => {
    const r = await xrayops('systemd', 'print', '--unit', 'xrayops-model@.service', '--exec', '/opt/x/xrayops', '--model-memory-max', '24G')
    expect(r.code, r.stderr).toBe(0)
    const expected = systemdFiles({ ...systemdDefaults(), exec: '/opt/x/xrayops', model: { ...systemdDefaults().model, memoryMax: '24G' } })
    expect(r.stdout).toBe(expected.find((f) => f.path.endsWith('/xrayops-model@.service'))!.content)
  })

  it('prints every file with its destination, or lists them', async () => {
    const all = await xrayops('systemd', 'print')
    const list = await xrayops('systemd', 'print', '--list')
    const paths = list.stdout.trim().split('\n')
    expect(paths).toEqual(systemdFiles(systemdDefaults()).map((f) => f.path))
    for (const p of paths) expect(all.stdout).toContain(`# ==> ${p} <==\n`)
  })

  it('usage mistakes: exit 1 with the usage and the problem', async () => {
    const unknown = await xrayops('systemd', 'print', '--unit', 'nginx.service')
    expect(unknown.code).toBe(1)
    expect(unknown.stdout + unknown.stderr).toMatch(/USAGE/)
    expect(unknown.stderr).toMatch(/--unit "nginx.service" is not one of: xrayops-gateway.service, xrayops-model@.service/)
    const clash = await xrayops('systemd', 'print', '--colours', 'blue=8001,green=8001')
    expect(clash.code).toBe(1)
    expect(clash.stderr).toMatch(/green port "8001" is not valid: expected a port not already used by blue/)
    const notNumber = await xrayops('systemd', 'print', '--gateway-port', 'http')
    expect(notNumber.stderr).toMatch(/--gateway-port must be a whole number, not "http"/)
  })
})

describe('xrayops systemd install', () => {
  it('refuses without --yes when not on a terminal, writing nothing', async () => {
    const root = path.join(tmp, 'refused')
    const r = await xrayops('systemd', 'install', '--root', root)
    expect(r.code).toBe(1)
    expect(r.stderr).toMatch(/pass --yes/)
    expect(fs.existsSync(root)).toBe(false)
  })

  it('writes the files, keeps existing environment files, says what it did not run', async () => {
    const root = path.join(tmp, 'root')
    const first = await xrayops('systemd', 'install', '--root', root, '--yes')
    expect(first.code, first.stderr).toBe(0)
    const files = systemdFiles(systemdDefaults())
    for (const f of files) expect(fs.readFileSync(path.join(root, f.path), 'utf8')).toBe(f.content)
    expect(first.stdout).toMatch(/not run: systemd-sysusers, systemctl daemon-reload: files were written below/)
    const blue = path.join(root, 'etc/xrayops/model-blue.env')
    fs.appendFileSync(blue, 'MODEL_PATH=/var/lib/xrayops/models/2.0.0.json\n')
    const again = await xrayops('systemd', 'install', '--root', root, '--yes', '--exec', '/opt/bin/xrayops')
    expect(again.code, again.stderr).toBe(0)
    expect(again.stdout).toContain(`kept   ${blue} (already there)`)
    expect(fs.readFileSync(blue, 'utf8')).toContain('MODEL_PATH=')
    expect(fs.readFileSync(path.join(root, 'etc/systemd/system/xrayops-gateway.service'), 'utf8')).toContain('ExecStart=/opt/bin/xrayops gateway')
  })

  it('on this host without systemd as init it writes the files and says systemd is not running', () => {
    expect(installFiles([], { root: '/', runDir: path.join(tmp, 'no-such-run-dir') })).toEqual({
      written: [],
      kept: [],
      ran: [],
      skipped: 'systemd is not running on this host (no /run/systemd/system)',
    })
  })
})

describeWith(systemdAnalyze, 'installed units verify', () => {
  it('the files install wrote pass systemd-analyze verify with no warnings', async () => {
    const root = path.join(tmp, 'verify')
    await xrayops('systemd', 'install', '--root', root, '--yes')
    fs.cpSync('/usr/lib/systemd/system', path.join(root, 'usr/lib/systemd/system'), { recursive: true, verbatimSymlinks: true })
    fs.mkdirSync(path.join(root, 'usr/local/bin'), { recursive: true })
    fs.writeFileSync(path.join(root, 'usr/local/bin/xrayops'), '#!/bin/sh\n', { mode: 0o755 })
    for (const u of ['xrayops-gateway.service', 'xrayops-model@blue.service', 'xrayops-model@green.service', 'xrayops-validate.timer']) expect(verifyUnit(root, u), u).toEqual({ code: 0, stderr: '' })
  })
})

describeWith(tool('systemctl', 'apt-get install systemd'), 'SystemctlRunner', () => {
  it.skipIf(systemdBooted())('without systemd as init: a SERVICE_FAILED error naming the unit and systemctl\'s reason', async () => {
    const err = await new SystemctlRunner().start('model@blue').catch((e) => e)
    expect(err.code).toBe('SERVICE_FAILED')
    expect(err.message).toMatch(/^systemctl start xrayops-model@blue.service failed: .*(not been booted with systemd|Failed to connect to bus)/s)
    expect(err.message).toContain('journalctl -u xrayops-model@blue.service')
  })

  it('reads `systemctl show` properties', () => {
    // The Key=value format systemctl show prints (systemctl(1)).
    const text = 'ActiveState=active\nSubState=running\nMainPID=4242\nActiveEnterTimestamp=Tue 2026-12-01 10:15:02 UTC\n'
    expect(parseShow('model@blue', text)).toEqual({ name: 'model@blue', state: 'active', detail: 'running', pid: 4242, since: '2026-12-01T10:15:02.000Z' })
    expect(parseShow('gateway', 'ActiveState=inactive\nSubState=dead\nMainPID=0\nActiveEnterTimestamp=\n')).toEqual({ name: 'gateway', state: 'inactive', detail: 'dead', pid: null, since: null })
  })
})
