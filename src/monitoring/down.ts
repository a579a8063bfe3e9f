/** `xrayops monitoring down`: stops only the services `up` started (pid files or our units). */
import { monitoringPaths, type MonitoringPaths } from './files.ts'
import { readRecord, runnerFor, type MonitoringRecord } from './record.ts'
import { serviceSpecs } from './specs.ts'

export async function stopServices(paths: MonitoringPaths, rec: MonitoringRecord): Promise<{ stopped: string[]; notRunning: string[] }> {
  const runner = runnerFor(rec.mode)
  const stopped: string[] = []
  const notRunning: string[] = []
  // Alertmanager first: Prometheus keeps evaluating (and sending) until it is gone.
  for (const spec of serviceSpecs(paths, rec.binaries, rec).reverse()) ((await runner.stop(spec)) ? stopped : notRunning).push(spec.name)
  return { stopped, notRunning }
}

export async function monitoringDown(o: { stateDir: string }): Promise<{ stopped: string[]; notRunning: string[] }> {
  const paths = monitoringPaths(o.stateDir)
  const rec = readRecord(paths)
  if (!rec) return { stopped: [], notRunning: ['prometheus', 'alertmanager'] }
  return stopServices(paths, rec)
}
