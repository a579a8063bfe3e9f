import { copyFileSync, readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import YAML from 'yaml'
import { M } from '../../src/metrics/names.ts'
import { monitoringPaths } from '../../src/monitoring/files.ts'
import { renderAlertmanager, renderPrometheus } from '../../src/monitoring/render.ts'
import { tempDir } from '../helpers/fixtures.ts'
import { describeWith } from '../helpers/require.ts'
import { amtool, dashboardQueries, exec, inMonitoring, monitoringDir, promtool, shippedAlerts, yamlFiles } from './helpers.ts'

/** The runbook's critical alerts and the others, each with the command its description names. */
const EXPECTED: Record<string, { severity: string; command: RegExp }> = {
  ModelAccuracyLow: { severity: 'critical', command: /xrayops rollback-model --to-version/ },
  HighResponseTime: { severity: 'critical', command: /xrayops metrics --show-current/ },
  HighErrorRate: { severity: 'critical', command: /xrayops health/ },
  HighMemoryUsage: { severity: 'critical', command: /xrayops health/ },
  LowDiskSpace: { severity: 'critical', command: /xrayops logs clean --older-than 7d/ },
  ModelServerDown: { severity: 'critical', command: /xrayops health --url/ },
  ModelNotReady: { severity: 'critical', command: /xrayops health --url/ },
  DataDriftDetected: { severity: 'warning', command: /xrayops drift --analyze-recent/ },
  AuditRecordsDropped: { severity: 'critical', command: /xrayops audit --recent/ },
  GatewayDown: { severity: 'critical', command: /xrayops health --gateway/ },
  GatewayNoUpstream: { severity: 'critical', command: /xrayops status/ },
  GatewayHighErrorRate: { severity: 'critical', command: /xrayops health/ },
  GatewayHighResponseTime: { severity: 'critical', command: /xrayops metrics --show-current/ },
}

describe('the shipped alert rules', () => {
  it('are the runbook alerts plus down, not ready, drift, audit and gateway, each with a severity and the command to run', () => {
    const alerts = shippedAlerts()
    expect(alerts.map((a) => a.alert).sort()).toEqual(Object.keys(EXPECTED).sort())
    for (const a of alerts) {
      expect(a.labels.severity, a.alert).toBe(EXPECTED[a.alert]!.severity)
      expect(a.annotations.summary, a.alert).toBeTruthy()
      expect(a.annotations.description, a.alert).toMatch(EXPECTED[a.alert]!.command)
      expect(a.annotations.action, a.alert).toMatch(/^xrayops /)
    }
  })

  it('and the dashboard use only metrics that src/metrics/names.ts names (plus up and ALERTS)', () => {
    const known = new Set<string>(Object.values(M))
    const exprs = [...shippedAlerts().map((a) => a.expr), ...dashboardQueries().map((q) => q.expr)]
    for (const e of exprs)
      for (const [name] of e.matchAll(/\bxray_[a-z0-9_]+/g)) expect(known.has(name) || known.has(name.replace(/_(bucket|sum|count)$/, '')), `${name} in ${e}`).toBe(true)
  })
})

describeWith(promtool, 'promtool on the shipped monitoring files', () => {
  it('check config: prometheus.yml, its rule files and its file_sd target files', async () => {
    const r = await exec('promtool', ['check', 'config', inMonitoring('prometheus.yml')])
    expect(r.code, r.out).toBe(0)
    expect(r.out).toContain(`SUCCESS: ${yamlFiles('rules').length} rule files found`)
  })

  it('check rules: every rules file', async () => {
    const r = await exec('promtool', ['check', 'rules', ...yamlFiles('rules')])
    expect(r.code, r.out).toBe(0)
    const counted = [...r.out.matchAll(/SUCCESS: (\d+) rules found/g)].reduce((n, m) => n + Number(m[1]), 0)
    expect(counted).toBe(shippedAlerts().length)
  })

  it('test rules: each alert fires on failing series and stays silent on healthy ones', async () => {
    const r = await exec('promtool', ['test', 'rules', ...yamlFiles('tests')])
    expect(r.code, r.out).toBe(0)
    expect(r.out.match(/SUCCESS/g)).toHaveLength(yamlFiles('tests').length)
    // Every alert is made to fire by some test, and no test names an alert that does not exist.
    const fired = new Set<string>()
    const named = new Set<string>()
    for (const f of yamlFiles('tests'))
      for (const t of (YAML.parse(readFileSync(f, 'utf8')) as { tests: { alert_rule_test: { alertname: string; exp_alerts: unknown[] }[] }[] }).tests)
        for (const a of t.alert_rule_test) {
          named.add(a.alertname)
          if (a.exp_alerts.length) fired.add(a.alertname)
        }
    expect([...fired].sort()).toEqual(Object.keys(EXPECTED).sort())
    expect([...named].sort()).toEqual(Object.keys(EXPECTED).sort())
  })

  it('test rules fails on a wrong expectation (a summary, a severity, an alert that does not fire)', async () => {
    const dir = tempDir('rules-wrong')
    copyFileSync(inMonitoring('rules', 'model-server.yml'), path.join(dir, 'model-server.yml'))
    const good = readFileSync(inMonitoring('tests', 'model-server.yml'), 'utf8').replace('../rules/', '')
    const wrongs = [
      good.replace("summary: 'Error rate 10% on", "summary: 'Error rate 11% on"),
      good.replace('{ severity: critical, job: model-server, instance: 127.0.0.1:8001, colour: blue }', '{ severity: warning, job: model-server, instance: 127.0.0.1:8001, colour: blue }'),
      good.replace(/(- eval_time: 2m # down for 0 min: pending\n\s+alertname: ModelServerDown\n\s+exp_alerts:) \[\]/, '$1 [{ exp_labels: { severity: critical } }]'),
    ]
    writeFileSync(path.join(dir, 'good.yml'), good)
    expect((await exec('promtool', ['test', 'rules', path.join(dir, 'good.yml')])).code).toBe(0)
    for (const [i, text] of wrongs.entries()) {
      expect(text, `mutation ${i} applies`).not.toBe(good)
      writeFileSync(path.join(dir, `wrong-${i}.yml`), text)
      const r = await exec('promtool', ['test', 'rules', path.join(dir, `wrong-${i}.yml`)])
      expect(r.code, `mutation ${i}`).toBe(1)
      expect(r.out).toContain('FAILED')
    }
  })

  it("the dashboard's panel queries: each one is valid PromQL (one recording rule per query)", async () => {
    const queries = dashboardQueries()
    const dir = tempDir('panels')
    const file = path.join(dir, 'panels.yml')
    writeFileSync(file, YAML.stringify({ groups: [{ name: 'panels', rules: queries.map((q, i) => ({ record: `panel:query_${i}`, expr: q.expr })) }] }))
    const r = await exec('promtool', ['check', 'rules', file])
    expect(r.code, r.out).toBe(0)
    expect(r.out).toContain(`SUCCESS: ${queries.length} rules found`)
    // and the panels cover what an operator looks at
    const titles = queries.map((q) => q.panel.toLowerCase()).join('\n')
    for (const topic of ['request rate', 'error', 'percentiles', 'batch', 'cache', 'predictions by label', 'feedback accuracy', 'drift', 'memory', 'gpu'])
      expect(titles, topic).toContain(topic)
  })

  it('check config accepts the running copy monitoring up writes (other ports, targets and receivers)', async () => {
    const p = monitoringPaths(tempDir('render'))
    const o = {
      configDir: monitoringDir,
      host: '127.0.0.1',
      prometheusPort: 19090,
      alertmanagerPort: 19093,
      modelServers: [{ address: '127.0.0.1:18001', colour: 'blue' }, { address: '[::1]:18002' }],
      gateways: [],
      webhookUrl: 'http://127.0.0.1:15001/hook',
      email: { to: 'radiology-oncall@hospital.example', smarthost: 'mail.hospital.example:25', from: 'xrayops@hospital.example' },
      scrapeInterval: '5s',
      alertFor: '10s',
    }
    renderPrometheus(o, p.prometheus)
    renderAlertmanager(o, p.alertmanager)
    const r = await exec('promtool', ['check', 'config', p.prometheus.config])
    expect(r.code, r.out).toBe(0)
    const cfg = YAML.parse(readFileSync(p.prometheus.config, 'utf8'))
    expect(cfg.global.scrape_interval).toBe('5s')
    expect(cfg.alerting.alertmanagers[0].static_configs[0].targets).toEqual(['127.0.0.1:19093'])
    expect(cfg.scrape_configs.find((j: { job_name: string }) => j.job_name === 'prometheus').static_configs[0].targets).toEqual(['127.0.0.1:19090'])
    expect(JSON.parse(readFileSync(path.join(p.prometheus.targets, 'model-servers.json'), 'utf8'))).toEqual([
      { targets: ['127.0.0.1:18001'], labels: { colour: 'blue' } },
      { targets: ['[::1]:18002'] },
    ])
    // The rules are the shipped ones but for `for:`.
    const shipped = shippedAlerts()
    const running: { alert: string; for: string; expr: string }[] = YAML.parse(readFileSync(path.join(p.prometheus.rules, 'model-server.yml'), 'utf8')).groups[0].rules
    for (const rule of running) {
      expect(rule.for).toBe('10s')
      expect(rule.expr).toBe(shipped.find((s) => s.alert === rule.alert)!.expr)
    }
  })
})

describeWith(amtool, 'amtool on alertmanager.yml', () => {
  it('check-config accepts the shipped file and the running copy with real receivers', async () => {
    expect((await exec('amtool', ['check-config', inMonitoring('alertmanager.yml')])).code).toBe(0)
    const p = monitoringPaths(tempDir('am'))
    renderAlertmanager(
      { configDir: monitoringDir, host: '127.0.0.1', prometheusPort: 1, alertmanagerPort: 2, webhookUrl: 'https://chat.hospital.example/hooks/xrayops', email: { to: 'oncall@hospital.example' } },
      p.alertmanager,
    )
    const r = await exec('amtool', ['check-config', p.alertmanager.config])
    expect(r.code, r.out).toBe(0)
    const cfg = YAML.parse(readFileSync(p.alertmanager.config, 'utf8'))
    expect(cfg.receivers.flatMap((x: { webhook_configs?: { url: string }[] }) => x.webhook_configs?.map((w) => w.url) ?? [])).toEqual([
      'https://chat.hospital.example/hooks/xrayops',
      'https://chat.hospital.example/hooks/xrayops',
    ])
    expect(cfg.receivers.find((x: { name: string }) => x.name === 'oncall').email_configs[0].to).toBe('oncall@hospital.example')
  })

  it("has the runbook's route: grouped by alertname, 10s/10s/1h; critical alerts to e-mail and webhook, others to the webhook", async () => {
    const cfg = YAML.parse(readFileSync(inMonitoring('alertmanager.yml'), 'utf8'))
    expect(cfg.route).toMatchObject({ group_by: ['alertname'], group_wait: '10s', group_interval: '10s', repeat_interval: '1h' })
    const route = async (...labels: string[]) => (await exec('amtool', ['config', 'routes', 'test', `--config.file=${inMonitoring('alertmanager.yml')}`, ...labels])).stdout.trim().split('\n').at(-1)
    expect(await route('alertname=ModelServerDown', 'severity=critical')).toBe('oncall')
    expect(await route('alertname=DataDriftDetected', 'severity=warning')).toBe('web.hook')
    const oncall = cfg.receivers.find((r: { name: string }) => r.name === 'oncall')
    expect(oncall.email_configs).toHaveLength(1)
    expect(oncall.webhook_configs).toHaveLength(1)
  })
})
