/**
 * An incident notice in Alertmanager's webhook format (version 4), so every receiver that takes
 * Alertmanager's notifications (chat bridges, paging services) takes it too.
 */
import { createHash } from 'node:crypto'
import os from 'node:os'

export const SEVERITIES = ['critical', 'warning', 'info'] as const
export type Severity = (typeof SEVERITIES)[number]

export interface IncidentNotice {
  text: string
  severity: Severity
  actor: string
  at?: Date
}

export function webhookBody(n: IncidentNotice) {
  const startsAt = (n.at ?? new Date()).toISOString()
  const labels = { alertname: 'XrayopsIncident', severity: n.severity, source: 'xrayops notify', host: os.hostname() }
  const annotations = { summary: n.text, description: `${n.text} (sent by ${n.actor} with xrayops notify at ${startsAt})` }
  const fingerprint = createHash('sha256').update(`${startsAt}\0${n.text}`).digest('hex').slice(0, 16)
  return {
    version: '4',
    groupKey: `{}:{alertname="XrayopsIncident"}`,
    truncatedAlerts: 0,
    status: 'firing',
    receiver: 'xrayops-notify',
    groupLabels: { alertname: 'XrayopsIncident' },
    commonLabels: labels,
    commonAnnotations: annotations,
    externalURL: '',
    alerts: [{ status: 'firing', labels, annotations, startsAt, endsAt: '0001-01-01T00:00:00Z', generatorURL: '', fingerprint }],
  }
}
