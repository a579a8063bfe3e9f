import { probe } from './http.ts'

export type Status = 'ok' | 'degraded' | 'down'

export interface ComponentHealth {
  name: string
  url: string
  status: Status
  detail: string
  ms: number
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

async function checkServer(name: string, base: string, timeoutMs: number): Promise<ComponentHealth> {
  const url = withPath(base, '/health')
  const r = await probe(url, timeoutMs)
  if (r.error) return { name, url, status: 'down', detail: `unreachable (${r.error})`, ms: r.ms }
  let body: { status?: string; model?: { name: string; version: string }; device?: { name: string }; checks?: { model?: { status: string; error?: { message: string } } } } = {}
  try {
    body = JSON.parse(r.body ?? '')
  } catch {
    return { name, url, status: 'down', detail: `HTTP ${r.status}, not a health report`, ms: r.ms }
  }
  const status: Status = body.status === 'ok' || body.status === 'degraded' ? body.status : 'down'
  const model = body.model ? `${body.model.name} v${body.model.version} on ${body.device?.name}` : `model ${body.checks?.model?.status ?? 'unknown'}`
  const why = body.checks?.model?.error?.message
  return { name, url, status, detail: `HTTP ${r.status}, ${model}${why ? `: ${why}` : ''}`, ms: r.ms }
}

async function checkPrometheus(base: string, timeoutMs: number): Promise<ComponentHealth> {
  const url = withPath(base, '/-/healthy')
  const r = await probe(url, timeoutMs)
  const status: Status = r.ok ? 'ok' : 'down'
  return { name: 'prometheus', url, status, detail: r.error ? `unreachable (${r.error})` : `HTTP ${r.status}`, ms: r.ms }
}
