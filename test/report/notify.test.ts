/** `xrayops notify --incident`: Alertmanager-style notices to real HTTP receivers on loopback. */
import fs from 'node:fs'
import path from 'node:path'
import { expect, it } from 'vitest'
import { openState } from '../../src/state/db.ts'
import { xrayops } from '../helpers/cli.ts'
import { tempDir } from '../helpers/fixtures.ts'
import { freePort } from '../helpers/process.ts'
import { describeWith } from '../helpers/require.ts'
import { sql, sqlite3Cli } from '../helpers/sqlite.ts'
import { alertmanager, exec } from '../monitoring/helpers.ts'
import { receiver } from './helpers.ts'

describeWith(sqlite3Cli, 'xrayops notify', () => {
  it('POSTs an Alertmanager webhook message to every configured receiver and records it in the history', async () => {
    const dir = tempDir('notify')
    ;(await openState(dir)).close()
    const a = await receiver()
    const b = await receiver()
    try {
      const r = await xrayops(['notify', '--incident', 'Model server on gpu-1 down since 10:02 UTC', '--severity', 'warning', '--state-dir', dir], { XRAYOPS_NOTIFY_WEBHOOKS: `${a.url},${b.url}` })
      expect(r.code, r.stderr).toBe(0)
      expect(r.stdout).toContain(`sent  ${a.url} (HTTP 200)`)
      for (const x of [a, b]) {
        expect(x.received).toHaveLength(1)
        const m = x.received[0]!
        expect(m.contentType).toBe('application/json')
        expect(m.body).toMatchObject({
          version: '4',
          status: 'firing',
          groupLabels: { alertname: 'XrayopsIncident' },
          alerts: [{ status: 'firing', labels: { alertname: 'XrayopsIncident', severity: 'warning' }, annotations: { summary: 'Model server on gpu-1 down since 10:02 UTC' } }],
        })
        const alert = (m.body as { alerts: { startsAt: string }[] }).alerts[0]!
        expect(Math.abs(Date.parse(alert.startsAt) - Date.now())).toBeLessThan(120_000)
      }
      const rows = sql(path.join(dir, 'xrayops.db'), "SELECT action, subject, reason, json_array_length(details, '$.delivered') FROM events WHERE action = 'incident.notify'")
      expect(rows).toEqual([['incident.notify', 'warning', 'Model server on gpu-1 down since 10:02 UTC', '2']])
    } finally {
      await a.close()
      await b.close()
    }
  })

  it('an unreachable or refusing receiver: a clear error naming it and exit 1; the others still get the notice', async () => {
    const dir = tempDir('notify-bad')
    const ok = await receiver()
    const refusing = await receiver(500)
    const nobody = `http://127.0.0.1:${await freePort()}/hook`
    try {
      const r = await xrayops(['notify', '--incident', 'disk full on gpu-1', '--webhook', `${ok.url},${nobody},${refusing.url}`, '--state-dir', dir])
      expect(r.code).toBe(1)
      expect(r.stderr).toContain('UNREACHABLE: 2 of 3 receiver(s) did not take the notice')
      expect(r.stderr).toContain(`${nobody} cannot be reached: ECONNREFUSED`)
      expect(r.stderr).toContain(`${refusing.url} answered HTTP 500`)
      expect(ok.received).toHaveLength(1)
      expect(refusing.received).toHaveLength(1)
      // No state database there: nothing created.
      expect(fs.existsSync(path.join(dir, 'xrayops.db'))).toBe(false)
    } finally {
      await ok.close()
      await refusing.close()
    }
  })

  it('without notify.webhooks it uses the webhook receivers of the Alertmanager `monitoring up` runs; with none it says how to configure one', async () => {
    const dir = tempDir('notify-am')
    const none = await xrayops(['notify', '--incident', 'x', '--state-dir', dir])
    expect(none.code).toBe(1)
    expect(none.stderr).toContain('no webhook receivers: set notify.webhooks')
    expect((await xrayops(['notify', '--state-dir', dir])).code).toBe(1) // --incident is required
    expect((await xrayops(['notify', '--incident', 'x', '--severity', 'loud', '--webhook', 'http://127.0.0.1:1/', '--state-dir', dir])).stderr).toContain('--severity loud: expected critical, warning, info')

    const hook = await receiver()
    try {
      const amDir = path.join(dir, 'monitoring', 'alertmanager')
      fs.mkdirSync(amDir, { recursive: true })
      const shipped = fs.readFileSync(new URL('../../monitoring/alertmanager.yml', import.meta.url), 'utf8')
      fs.writeFileSync(path.join(amDir, 'alertmanager.yml'), shipped.replaceAll('http://127.0.0.1:5001/', hook.url))
      if (alertmanager.present) expect((await exec('amtool', ['check-config', path.join(amDir, 'alertmanager.yml')])).code).toBe(0)
      const r = await xrayops(['notify', '--incident', 'certificate expired', '--state-dir', dir])
      expect(r.code, r.stderr).toBe(0)
      expect(hook.received).toHaveLength(1) // two receivers name the same URL: sent once
      expect(hook.received[0]!.body).toMatchObject({ alerts: [{ labels: { severity: 'critical' }, annotations: { summary: 'certificate expired' } }] })
    } finally {
      await hook.close()
    }
  })
})
