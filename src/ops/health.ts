import { probe } from './http.ts'

export type Status = 'ok' | 'degraded' | 'down'

export interface ComponentHealth {
  name: string
  url: string
  status: Status
  detail: string
  ms: number
  /** The HTTP status it answered with; absent when it did not answer. */
  http?: number
}

export interface HealthTargets {
  server: string
  gateway?: string
  prometheus?: string
  timeoutMs: number
}

/** Health of the model server (its /health), and of the gateway and Prometheus when given. */
export async function checkHealth(t: HealthTargets): Promise<{ status: Status; components: ComponentHealth[] }> {
  const jobs: Promise<ComponentHealth>[] = [checkServer('model server', t.server, t.timeoutMs)]
  if (t.gateway) jobs.push(checkServer('gateway', t.gateway, t.timeoutMs))
  if (t.prometheus) jobs.push(checkPrometheus(t.prometheus, t.timeoutMs))
  const components = await Promise.all(jobs)
  return { status: overall(components), components }
}

/** Down when the model server is down; degraded when anything else is not ok. */
export function overall(cs: ComponentHealth[]): Status {
  if (cs[0].status === 'down') return 'down'
  return cs.every((c) => c.status === 'ok') ? 'ok' : 'degraded'
}

const withPath = (base: string, p: string) => (new URL(base).pathname === '/' ? new URL(p, base).href : base)

export async function checkServer(name: string, base: string, timeoutMs: number): Promise<ComponentHealth> {
  const url = withPath(base, '/health')
  const r = await probe(url, timeoutMs)
  if (r.error) return { name, url, status: 'down', detail: `unreachable (${r.error})`, ms: r.ms }
  let body: { status?: string; model?: { name: string; version: string }; device?: { name: string }; checks?: { model?: { status: string; error?: { message: string } } } } = {}
  try {
    body = JSON.parse(r.body ?? '')
  } catch {
    return { name, url, status: 'down', detail: `HTTP ${r.status}, not a health report`, ms: r.ms, http: r.status }
  }
  const status: Status = body.status === 'ok' || body.status === 'degraded' ? body.status : 'down'
  const gw = body as { component?: string; live?: string | null; generation?: number; reason?: string }
  if (gw.component === 'gateway')
    return { name, url, status, detail: `HTTP ${r.status}, routes to ${gw.live ?? 'no colour'} (generation ${gw.generation})${gw.reason ? `: ${gw.reason}` : ''}`, ms: r.ms, http: r.status }
  const model = body.model ? `${body.model.name} v${body.model.version} on ${body.device?.name}` : `model ${body.checks?.model?.status ?? 'unknown'}`
  const why = body.checks?.model?.error?.message
  return { name, url, status, detail: `HTTP ${r.status}, ${model}${why ? `: ${why}` : ''}`, ms: r.ms, http: r.status }
}

async function checkPrometheus(base: string, timeoutMs: number): Promise<ComponentHealth> {
  const url = withPath(base, '/-/healthy')
  const r = await probe(url, timeoutMs)
  const status: Status = r.ok ? 'ok' : 'down'
  return { name: 'prometheus', url, status, detail: r.error ? `unreachable (${r.error})` : `HTTP ${r.status}`, ms: r.ms }
}

export interface WaitReadyOptions {
  url: string
  /** Give up after this many seconds. */
  seconds: number
  /** Ready as soon as /health answers HTTP at all (the gateway's /health stays down until a colour is live). */
  answering?: boolean
  /** Pause between checks, ms (default 500). */
  intervalMs?: number
}

export interface WaitReadyResult {
  ready: boolean
  /** The last check. */
  last: ComponentHealth
  attempts: number
  waited_s: number
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/**
 * Polls /health until the server is ready (ok or degraded: both serve predictions), or until
 * `seconds` have passed. Never throws; an unreachable server is just "not ready yet".
 */
export async function waitReady(o: WaitReadyOptions): Promise<WaitReadyResult> {
  const t0 = Date.now()
  const deadline = t0 + o.seconds * 1000
  for (let attempts = 1; ; attempts++) {
    // Each check gets at least a second, so the last one near the deadline still means something.
    const last = await checkServer('model server', o.url, Math.min(3000, Math.max(1000, deadline - Date.now())))
    const ready = o.answering ? last.http !== undefined : last.status !== 'down'
    if (ready || Date.now() >= deadline) return { ready, last, attempts, waited_s: (Date.now() - t0) / 1000 }
    await sleep(Math.min(o.intervalMs ?? 500, Math.max(0, deadline - Date.now())))
  }
}
