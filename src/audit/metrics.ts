/** The audit trail's, feedback's and drift's metrics, on the model server's registry (names in metrics/names.ts). */
import { Counter, Gauge, type Registry } from 'prom-client'
import { M } from '../metrics/names.ts'
import type { Accuracy } from './feedback.ts'

export function auditMetrics(registry: Registry, feedbackWindow: () => Accuracy) {
  const registers = [registry]
  // The four feedback gauges are read from the database at scrape time: once per scrape (cached
  // for a second), and at once after a new label (`stale()`).
  let cached: { at: number; value: Accuracy } | undefined
  const current = () => {
    if (!cached || Date.now() - cached.at > 1000) cached = { at: Date.now(), value: feedbackWindow() }
    return cached.value
  }
  const gauge = (name: string, help: string, pick: (a: Accuracy) => number) =>
    new Gauge({
      name,
      help,
      registers,
      collect() {
        this.set(pick(current()))
      },
    })
  return {
    stale: () => {
      cached = undefined
    },
    dropped: new Counter({ name: M.auditDropped, help: 'Audit records not written, by reason (queue_full, disk_full, db_locked, write_error, unavailable)', labelNames: ['reason'], registers }),
    queueDepth: new Gauge({ name: M.auditQueueDepth, help: 'Audit records waiting to be written', registers }),
    feedback: new Counter({ name: M.feedback, help: 'Radiologist labels received, by true label', labelNames: ['true_label'], registers }),
    accuracy: gauge(M.feedbackAccuracy, 'Accuracy over the most recent labelled predictions of this model (feedback.window); NaN with none', (a) => a.accuracy),
    sensitivity: gauge(M.feedbackSensitivity, 'Sensitivity (recall of the positive label) over the same window; NaN with no positive case', (a) => a.sensitivity),
    specificity: gauge(M.feedbackSpecificity, 'Specificity over the same window; NaN with no negative case', (a) => a.specificity),
    labelled: gauge(M.feedbackWindowLabelled, 'Labelled predictions in the feedback window', (a) => a.labelled),
    driftPsi: new Gauge({ name: M.driftPsi, help: 'Population stability index of recent inputs against the training profile, by feature', labelNames: ['feature'], registers }),
    driftKs: new Gauge({ name: M.driftKs, help: 'Kolmogorov-Smirnov statistic D of recent inputs against the training profile, by feature', labelNames: ['feature'], registers }),
    driftDetected: new Gauge({ name: M.driftDetected, help: '1 when the last drift check found drift (docs/OPERATIONS.md)', registers }),
  }
}

export type AuditMetrics = ReturnType<typeof auditMetrics>
