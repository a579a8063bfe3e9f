/** The rows of an incident's timeline and of its per-interval table, filled from each source. */
export interface TimelineEntry {
  at: string
  source: 'events' | 'audit' | 'prometheus' | 'alertmanager'
  what: string
}

export interface IntervalRow {
  start: string
  /** Recorded predictions (audit). */
  predictions?: number
  meanLatencyMs?: number
  maxLatencyMs?: number
  /** Model-server requests, 5xx answers and 401/403 answers (model servers and gateway), from Prometheus. */
  requests?: number
  errors5xx?: number
  denied?: number
}
