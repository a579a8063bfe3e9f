import { execFile, spawn } from 'node:child_process'
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { monitoringPaths } from '../../src/monitoring/files.ts'
import { tempDir } from '../helpers/fixtures.ts'
import { bin, freePort } from '../helpers/process.ts'
import { describeWith } from '../helpers/require.ts'
import { alertmanager, monitoringDir, prometheus, running } from './helpers.ts'

/** `xrayops ARGS` with stdin not a terminal; resolves with the exit code and output. */
const xrayops = (args: string[], env: NodeJS.ProcessEnv = {}) =>
  new Promise<{ code: number; stdout: string; stderr: string }>((resolve) =>
    execFile(process.execPath, [bin, ...args], { env: { ...process.env, ...env }, timeout: 90_000 }, (err, stdout, stderr) =>
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    ),
  )


const both = { name: 'prometheus + prometheus-alertmanager', present: prometheus.present && alertmanager.present, install: 'apt-get install prometheus prometheus-alertmanager' }

describe('xrayops monitoring: usage and missing programs', () => {
  it('names the apt-get command when Prometheus or Alertmanager is not installed, and starts nothing', async () => {
    const dir = tempDir('nobin')
    const r = await xrayops(['monitoring', 'up', '--state-dir', dir, '--mode', 'process'], { PATH: path.join(dir, 'empty') })
    expect(r.code).toBe(1)
    expect(r.stderr).toContain('TOOL_MISSING')
    expect(r.stderr).toContain('apt-get install prometheus prometheus-alertmanager')
    expect(() => readFileSync(monitoringPaths(dir).record)).toThrow()
  })

  it('refuses bad flags with the usage and exit 1', async () => {
    for (const bad of [['--prometheus-port', '70000'], ['--model-servers', 'localhost'], ['--scrape-interval', 'often'], ['--mode', 'docker']]) {
      const r = await xrayops(['monitoring', 'up', '--state-dir', tempDir('flags'), ...bad])
      expect(r.code, bad.join(' ')).toBe(1)
      expect(`${r.stdout}${r.stderr}`, bad.join(' ')).toMatch(/USAGE/)
    }
  })
})

describeWith(both, 'xrayops monitoring up | status | down with the real programs', () => {
  it('up starts both and waits for ready, up again reloads them, status reports them, down needs --yes and stops only them', async () => {
    const stateDir = tempDir('cli')
    const [pp, ap, dead] = [await freePort(), await freePort(), await freePort()]
    const place = ['--state-dir', stateDir]
    try {
      const up = await xrayops(['monitoring', 'up', ...place, '--mode', 'process', '--prometheus-port', String(pp), '--alertmanager-port', String(ap), '--model-servers', `127.0.0.1:${dead}=green`, '--gateways', 'none', '--scrape-interval', '1s'])
      expect(up.code, up.stderr).toBe(0)
      expect(up.stdout).toMatch(new RegExp(`ready\\s+prometheus\\s+http://127.0.0.1:${pp}\\s+pid \\d+`))
      expect(up.stdout).toMatch(new RegExp(`ready\\s+alertmanager\\s+http://127.0.0.1:${ap}\\s+pid \\d+`))
      const p = monitoringPaths(stateDir)
      const pids = [Number(readFileSync(p.prometheus.pid, 'utf8')), Number(readFileSync(p.alertmanager.pid, 'utf8'))]

      const again = await xrayops(['monitoring', 'up', ...place, '--json'])
      expect(again.code, again.stderr).toBe(0)
      const r = JSON.parse(again.stdout)
      expect([r.prometheus.pid, r.alertmanager.pid]).toEqual(pids)
      expect([r.prometheus.reloaded, r.alertmanager.reloaded]).toEqual([true, true])

      // The model server target is down (nothing listens there): status says so, with the reason.
      let status: { code: number; stdout: string } = { code: -1, stdout: '' }
      for (let i = 0; i < 40 && !/down\s+model-server/.test(status.stdout); i++) {
        status = await xrayops(['monitoring', 'status', ...place])
        if (!/down\s+model-server/.test(status.stdout)) await new Promise((res) => setTimeout(res, 500))
      }
      expect(status.code).toBe(0)
      expect(status.stdout).toMatch(new RegExp(`up\\s+prometheus\\s+http://127.0.0.1:${pp}\\s+port ${pp}\\s+pid ${pids[0]}`))
      expect(status.stdout).toMatch(new RegExp(`down\\s+model-server\\s+127.0.0.1:${dead}\\s+.*connection refused`))
      expect(status.stdout).toMatch(/rules: 13 alerts in 5 groups/)
      const json = JSON.parse((await xrayops(['monitoring', 'status', ...place, '--json'])).stdout)
      expect(json.targets.find((t: { job: string }) => t.job === 'prometheus')).toMatchObject({ instance: `127.0.0.1:${pp}`, health: 'up' })

      const refused = await xrayops(['monitoring', 'down', ...place])
      expect(refused.code).toBe(1)
      expect(`${refused.stdout}${refused.stderr}`).toContain('pass --yes')
      expect(pids.every(running)).toBe(true)

      const down = await xrayops(['monitoring', 'down', ...place, '--yes'])
      expect(down.code, down.stderr).toBe(0)
      expect(down.stdout).toMatch(/stopped\s+alertmanager\nstopped\s+prometheus/)
      expect(pids.some(running)).toBe(false)
      const after = await xrayops(['monitoring', 'status', ...place])
      expect(after.code).toBe(1)
      expect(after.stdout).toMatch(/down\s+prometheus[\s\S]*down\s+alertmanager/)
    } finally {
      await xrayops(['monitoring', 'down', ...place, '--yes'])
    }
  })

  it('says which file is wrong in a --config-dir, and starts nothing', async () => {
    const stateDir = tempDir('confdir')
    const missing = await xrayops(['monitoring', 'up', '--state-dir', stateDir, '--mode', 'process', '--config-dir', path.join(stateDir, 'nowhere')])
    expect(missing.code).toBe(1)
    expect(missing.stderr).toMatch(/CONFIG_INVALID: the monitoring files in .*nowhere: .*prometheus\.yml/)
    // A rule promtool refuses: the message is promtool's, naming the file and the problem.
    const site = path.join(stateDir, 'site')
    mkdirSync(path.join(site, 'rules'), { recursive: true })
    for (const f of ['prometheus.yml', 'alertmanager.yml']) writeFileSync(path.join(site, f), readFileSync(path.join(monitoringDir, f)))
    writeFileSync(path.join(site, 'rules', 'broken.yml'), 'groups:\n  - name: x\n    rules:\n      - alert: Broken\n        expr: rate(xray_http_requests_total[5m]\n')
    const broken = await xrayops(['monitoring', 'up', '--state-dir', stateDir, '--mode', 'process', '--config-dir', site, '--prometheus-port', String(await freePort()), '--alertmanager-port', String(await freePort())])
    expect(broken.code).toBe(1)
    expect(broken.stderr).toContain('MONITORING_FAILED: promtool check config')
    expect(broken.stderr).toMatch(/broken\.yml.*unclosed left parenthesis/)
    expect(existsSync(monitoringPaths(stateDir).prometheus.pid)).toBe(false)
  })

  it('down leaves alone a process whose pid a stale pid file names', async () => {
    const stateDir = tempDir('stale')
    const p = monitoringPaths(stateDir)
    const other = spawn('sleep', ['60'], { stdio: 'ignore' })
    try {
      mkdirSync(path.dirname(p.prometheus.pid), { recursive: true })
      writeFileSync(p.prometheus.pid, `${other.pid}\n`)
      writeFileSync(p.record, JSON.stringify({ mode: 'process', host: '127.0.0.1', prometheusPort: 1, alertmanagerPort: 2, binaries: { prometheus: 'prometheus', alertmanager: 'alertmanager' }, configDir: '.', startedAt: '' }))
      const r = await xrayops(['monitoring', 'down', '--state-dir', stateDir, '--yes'])
      expect(r.code, r.stderr).toBe(0)
      expect(r.stdout).toMatch(/not running\s+alertmanager\nnot running\s+prometheus/)
      expect(running(other.pid!)).toBe(true)
    } finally {
      other.kill()
    }
  })

  it('up fails with the log when a port is taken, and down cleans up', async () => {
    const stateDir = tempDir('busy')
    const busy = createServer()
    const port = await freePort()
    await new Promise<void>((r) => busy.listen(port, '127.0.0.1', r))
    try {
      const r = await xrayops(['monitoring', 'up', '--state-dir', stateDir, '--mode', 'process', '--prometheus-port', String(port), '--alertmanager-port', String(await freePort()), '--gateways', 'none', '--timeout', '30'])
      expect(r.code).toBe(1)
      expect(r.stderr).toContain('MONITORING_FAILED')
      expect(r.stderr).toMatch(/Prometheus at http:\/\/127\.0\.0\.1:\d+: exited before it was ready/)
      expect(r.stderr).toContain('address already in use')
    } finally {
      busy.close()
      const d = await xrayops(['monitoring', 'down', '--state-dir', stateDir, '--yes'])
      expect(d.stdout).toMatch(/stopped\s+alertmanager/)
    }
  })
})
