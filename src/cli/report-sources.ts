/** The sources `xrayops report` reads: Prometheus, Alertmanager and the state database (opened only when it exists). */
import fs from 'node:fs'
import type { LoadedConfig } from '../config/load.ts'
import { Prometheus } from '../report/prometheus.ts'
import { openState, type State } from '../state/db.ts'
import { statePaths } from '../state/dir.ts'
import { stateDirOf } from './state.ts'
import { monitoringUrls } from '../validate/index.ts'

export interface ReportSources {
  prometheus: Prometheus
  alertmanagerUrl: string
  state: { db?: State['db']; path: string; error?: string }
  close(): void
}

export async function reportSources(loaded: LoadedConfig): Promise<ReportSources> {
  const dir = stateDirOf(loaded)
  const path = statePaths(dir.dir).db
  let state: State | undefined
  let error: string | undefined
  if (!fs.existsSync(path)) error = `no state database at ${path} (state folder from ${dir.source}; --state-dir names another)`
  else {
    try {
      state = await openState(dir.dir)
    } catch (e) {
      error = `${path}: ${(e as Error).message}`
    }
  }
  const urls = monitoringUrls(loaded.config, dir.dir)
  return {
    prometheus: new Prometheus(urls.prometheus),
    alertmanagerUrl: urls.alertmanager,
    state: { db: state?.db, path, error },
    close: () => state?.close(),
  }
}
