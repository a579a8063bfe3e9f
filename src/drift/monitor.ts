/**
 * The model server's periodic drift check: at start and every drift.interval, the most recent
 * drift.window images this model answered (audit rows with image statistics) against its training profile,
 * exported as xray_drift_psi{feature}, xray_drift_ks{feature} and xray_drift_detected.
 */
import { logger } from '../log.ts'
import type { AuditMetrics } from '../audit/metrics.ts'
import { recentRecords } from '../audit/store.ts'
import type { Db } from '../state/sqlite.ts'
import { analyzeDrift, type DriftReport } from './analyze.ts'
import { fromRow, type Observation } from './features.ts'
import type { DriftProfile } from './profile.ts'

const log = logger('drift')

/** The drift report over the window of recent images of the profile's model. */
export function recentDrift(db: Db, profile: DriftProfile, q: { window?: number; since?: Date }): DriftReport {
  const rows = recentRecords(db, { limit: q.window, since: q.since, modelSha256: profile.model.sha256, withStats: true })
  return analyzeDrift(rows.map(fromRow).filter((o): o is Observation => !!o), profile)
}

export class DriftMonitor {
  private timer?: NodeJS.Timeout
  last?: DriftReport

  constructor(
    private readonly db: Db,
    private readonly profile: DriftProfile,
    private readonly metrics: AuditMetrics,
    private readonly window: number,
    intervalMs: number,
  ) {
    metrics.driftDetected.set(0)
    if (intervalMs > 0) {
      this.timer = setInterval(() => this.check(), intervalMs)
      this.timer.unref()
      setImmediate(() => this.timer && this.check()) // once at start: a restart shows the state at once
    }
  }

  /** Runs the check now and exports its figures; returns the report. */
  check(): DriftReport | undefined {
    let report: DriftReport
    try {
      report = recentDrift(this.db, this.profile, { window: this.window })
    } catch (e) {
      log.warn(`drift check failed: ${(e as Error).message}`)
      return undefined
    }
    const m = this.metrics
    m.driftPsi.reset()
    m.driftKs.reset()
    if (report.verdict !== 'insufficient_data')
      for (const f of report.features) {
        m.driftPsi.set({ feature: f.feature }, f.psi)
        if (f.ks) m.driftKs.set({ feature: f.feature }, f.ks.d)
      }
    m.driftDetected.set(report.verdict === 'drift' ? 1 : 0)
    if (report.verdict !== this.last?.verdict) {
      const moved = report.features.filter((f) => f.drift && f.inVerdict).map((f) => f.feature)
      const text = `drift check over ${report.images} recent images: ${report.verdict.replace('_', ' ')}${moved.length ? ` (${moved.join(', ')})` : ''}`
      if (report.verdict === 'drift') log.warn(text)
      else log.info(text)
    }
    this.last = report
    return report
  }

  close(): void {
    clearInterval(this.timer)
    this.timer = undefined
  }
}
