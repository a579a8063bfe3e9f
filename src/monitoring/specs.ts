/** The two services' command lines, from the running copy's paths and the chosen ports. */
import type { MonitoringPaths } from './files.ts'
import type { ServiceSpec } from './service.ts'

export const hostPort = (host: string, port: number) => `${host.includes(':') ? `[${host}]` : host}:${port}`

export function serviceSpecs(p: MonitoringPaths, bins: { prometheus: string; alertmanager: string }, o: { host: string; prometheusPort: number; alertmanagerPort: number }): ServiceSpec[] {
  return [
    {
      name: 'prometheus',
      description: 'Prometheus',
      command: bins.prometheus,
      args: [
        `--config.file=${p.prometheus.config}`,
        `--storage.tsdb.path=${p.prometheus.data}`,
        `--web.listen-address=${hostPort(o.host, o.prometheusPort)}`,
        '--storage.tsdb.retention.time=30d',
      ],
      config: p.prometheus.config,
      writable: [p.prometheus.data],
      pidFile: p.prometheus.pid,
      logFile: p.prometheus.log,
    },
    {
      name: 'alertmanager',
      description: 'Alertmanager',
      command: bins.alertmanager,
      args: [
        `--config.file=${p.alertmanager.config}`,
        `--storage.path=${p.alertmanager.data}`,
        `--web.listen-address=${hostPort(o.host, o.alertmanagerPort)}`,
        '--cluster.listen-address=', // one instance: no gossip port (9094) to open
      ],
      config: p.alertmanager.config,
      writable: [p.alertmanager.data],
      pidFile: p.alertmanager.pid,
      logFile: p.alertmanager.log,
    },
  ]
}
