/**
 * The counting expression the reports send to Prometheus (counted() in src/report/metrics.ts),
 * evaluated by promtool on synthetic series with values worked out by hand: a counter that runs
 * through the window, one born inside it, one that restarts inside it, and consecutive windows.
 */
import fs from 'node:fs'
import path from 'node:path'
import { expect, it } from 'vitest'
import YAML from 'yaml'
import { counted } from '../../src/report/metrics.ts'
import { tempDir } from '../helpers/fixtures.ts'
import { describeWith } from '../helpers/require.ts'
import { exec, promtool } from '../monitoring/helpers.ts'

describeWith(promtool, 'counted(): a counter rise over a window, on promtool', () => {
  it('is the exact rise, counts a new series from 0, falls back to increase() across a restart, and adds up across windows', async () => {
    const dir = tempDir('counted')
    const rules = path.join(dir, 'none.yml')
    fs.writeFileSync(rules, 'groups: []\n')
    const tests = {
      rule_files: [rules],
      evaluation_interval: '1m',
      tests: [
        {
          interval: '1m',
          input_series: [
            // Minutes 0..20: 0, 1, ..., 20.
            { series: 'runs{job="a"}', values: '0+1x20' },
            // Absent for minutes 0..14, then 3, 4, ..., 8 at minutes 15..20 (Prometheus first saw it at 3).
            { series: 'born{job="b"}', values: '_x15 3+1x5' },
            // 0, 2, ..., 24 at minutes 0..12, then a restart: 1, 2, ..., 8 at minutes 13..20.
            { series: 'restarts{job="c"}', values: '0+2x12 1+1x7' },
          ],
          promql_expr_test: [
            // 20 at minute 20 minus 10 at minute 10.
            { expr: counted('runs', '10m', ''), eval_time: '20m', exp_samples: [{ labels: '{}', value: 10 }] },
            // Consecutive 5-minute windows: 15 - 10 and 20 - 15, adding up to the 10 above.
            { expr: counted('runs', '5m', ''), eval_time: '15m', exp_samples: [{ labels: '{}', value: 5 }] },
            { expr: counted('runs', '5m', ''), eval_time: '20m', exp_samples: [{ labels: '{}', value: 5 }] },
            // New in the window: all 8 counted (increase() alone gives 5 plus extrapolation).
            { expr: counted('born', '10m', ''), eval_time: '20m', exp_samples: [{ labels: '{}', value: 8 }] },
            // A single sample in the window still counts.
            { expr: counted('born', '10m', ''), eval_time: '15m', exp_samples: [{ labels: '{}', value: 3 }] },
            // Restarted inside the window: exactly what increase() says.
            { expr: `${counted('restarts', '10m', '')} - sum(increase(restarts[10m]))`, eval_time: '20m', exp_samples: [{ labels: '{}', value: 0 }] },
            // Grouping keeps the label; together: 10 + 8.
            { expr: counted('{__name__=~"runs|born"}', '10m', 'job'), eval_time: '20m', exp_samples: [{ labels: '{job="a"}', value: 10 }, { labels: '{job="b"}', value: 8 }] },
          ],
        },
      ],
    }
    const file = path.join(dir, 'counted.test.yml')
    fs.writeFileSync(file, YAML.stringify(tests))
    const r = await exec('promtool', ['test', 'rules', file])
    expect(r.code, r.out).toBe(0)
    expect(r.out).toContain('SUCCESS')
  })
})
