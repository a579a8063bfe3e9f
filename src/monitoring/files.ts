/**
 * Where the monitoring files live: the shipped folder (monitoring/ in a checkout, extracted from
 * the single executable), and the running copy under the state folder that Prometheus and
 * Alertmanager read.
 */
import path from 'node:path'
import { shippedDir } from '../runtime/shipped.ts'

/** Group of the monitoring files in the single executable (build.config.ts). */
export const MONITORING_GROUP = 'monitoring'

/** The shipped prometheus.yml, rules/, targets/, alertmanager.yml and grafana/. */
export const shippedMonitoringDir = (): string => shippedDir(MONITORING_GROUP, 'monitoring')

/** Paths of the running copy and of everything monitoring writes, below `<stateDir>/monitoring`. */
export function monitoringPaths(stateDir: string) {
  const root = path.join(path.resolve(stateDir), 'monitoring')
  return {
    root,
    /** What `up` recorded: mode, address, ports (monitoring.json). */
    record: path.join(root, 'monitoring.json'),
    prometheus: {
      dir: path.join(root, 'prometheus'),
      config: path.join(root, 'prometheus', 'prometheus.yml'),
      rules: path.join(root, 'prometheus', 'rules'),
      targets: path.join(root, 'prometheus', 'targets'),
      data: path.join(root, 'prometheus', 'data'),
      pid: path.join(root, 'run', 'prometheus.pid'),
      log: path.join(root, 'logs', 'prometheus.log'),
    },
    alertmanager: {
      dir: path.join(root, 'alertmanager'),
      config: path.join(root, 'alertmanager', 'alertmanager.yml'),
      data: path.join(root, 'alertmanager', 'data'),
      pid: path.join(root, 'run', 'alertmanager.pid'),
      log: path.join(root, 'logs', 'alertmanager.log'),
    },
  }
}

export type MonitoringPaths = ReturnType<typeof monitoringPaths>
