import { mkdirSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { expect, it } from 'vitest'
import { monitoringPaths } from '../../src/monitoring/files.ts'
import { serviceSpecs } from '../../src/monitoring/specs.ts'
import { unitName, unitText } from '../../src/monitoring/systemd-runner.ts'
import { tempDir } from '../helpers/fixtures.ts'
import { describeWith, tool } from '../helpers/require.ts'
import { alertmanager, exec, prometheus } from './helpers.ts'

const analyze = tool('systemd-analyze', 'apt-get install systemd')
const binaries = { name: 'prometheus + prometheus-alertmanager', present: prometheus.present && alertmanager.present, install: 'apt-get install prometheus prometheus-alertmanager' }

describeWith(analyze, 'the systemd units monitoring up writes', () => {
  describeWith(binaries, 'with the real binaries (ExecStart must exist)', () => {
    for (const user of [false, true])
      it(`pass systemd-analyze verify with nothing on stderr (${user ? 'user' : 'system'} units, a state folder with a space and a %)`, async () => {
        const root = tempDir('units')
        const p = monitoringPaths(path.join(root, 'state dir 100%'))
        const specs = serviceSpecs(p, { prometheus: '/usr/bin/prometheus', alertmanager: '/usr/bin/prometheus-alertmanager' }, { host: '127.0.0.1', prometheusPort: 9090, alertmanagerPort: 9093 })
        const units = path.join(root, 'units')
        mkdirSync(units)
        for (const s of specs) {
          for (const d of [...s.writable, path.dirname(s.logFile)]) mkdirSync(d, { recursive: true })
          writeFileSync(path.join(units, unitName(s)), unitText(s, { user }))
        }
        const r = await exec('systemd-analyze', ['verify', ...(user ? ['--user'] : []), ...specs.map((s) => path.join(units, unitName(s)))])
        expect(r.code, r.out).toBe(0)
        expect(r.out.trim(), r.out).toBe('')
        const prom = unitText(specs[0]!, { user })
        expect(prom).toContain(`"--config.file=${p.prometheus.config.replace('%', '%%')}"`)
        expect(prom).toContain('Restart=on-failure')
        expect(prom.includes('ProtectSystem=strict')).toBe(!user)
      })
  })
})
