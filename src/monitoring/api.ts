/** What Prometheus and Alertmanager say about themselves over HTTP. */

const get = async <T>(url: string, timeoutMs = 3000): Promise<T> => {
  const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) })
  if (!res.ok) throw new Error(`${url}: HTTP ${res.status}`)
  return (await res.json()) as T
}

/** True once `<base>/-/ready` answers 200. */
export const isReady = (base: string): Promise<boolean> =>
  fetch(`${base}/-/ready`, { signal: AbortSignal.timeout(2000) }).then(
    (r) => r.ok,
    () => false,
  )

/** Polls /-/ready until 200; fails when `alive()` says the process is gone, or after timeoutMs. */
export async function waitReady(base: string, opts: { timeoutMs: number; alive: () => Promise<boolean> }): Promise<void> {
  const end = Date.now() + opts.timeoutMs
  for (;;) {
    if (await isReady(base)) return
    if (!(await opts.alive())) throw new Error('exited before it was ready')
    if (Date.now() > end) throw new Error(`${base}/-/ready did not answer 200 within ${opts.timeoutMs / 1000} s`)
    await new Promise((r) => setTimeout(r, 150))
  }
}

export interface TargetHealth {
  job: string
  instance: string
  health: 'up' | 'down' | 'unknown'
  lastError: string
  lastScrape: string
}

export async function targets(base: string): Promise<TargetHealth[]> {
  type Raw = { labels: Record<string, string>; scrapePool: string; health: TargetHealth['health']; lastError: string; lastScrape: string }
  const body = await get<{ data: { activeTargets: Raw[] } }>(`${base}/api/v1/targets?state=active`)
  return body.data.activeTargets
    .map((t) => ({ job: t.labels.job ?? t.scrapePool, instance: t.labels.instance ?? '', health: t.health, lastError: t.lastError, lastScrape: t.lastScrape }))
    .sort((a, b) => a.job.localeCompare(b.job) || a.instance.localeCompare(b.instance))
}

export interface RuleGroupSummary {
  name: string
  file: string
  alerts: { name: string; state: 'inactive' | 'pending' | 'firing'; health: string }[]
}

export async function rules(base: string): Promise<RuleGroupSummary[]> {
  type Raw = { name: string; file: string; rules: { type: string; name: string; state?: RuleGroupSummary['alerts'][number]['state']; health: string }[] }
  const body = await get<{ data: { groups: Raw[] } }>(`${base}/api/v1/rules`)
  return body.data.groups.map((g) => ({
    name: g.name,
    file: g.file,
    alerts: g.rules.filter((r) => r.type === 'alerting').map((r) => ({ name: r.name, state: r.state ?? 'inactive', health: r.health })),
  }))
}

/** Alertmanager's version and its active (not silenced) alerts' names. */
export async function alertmanagerState(base: string): Promise<{ version: string; activeAlerts: string[] }> {
  const status = await get<{ versionInfo?: { version?: string } }>(`${base}/api/v2/status`)
  const alerts = await get<{ labels: Record<string, string>; status: { state: string } }[]>(`${base}/api/v2/alerts?active=true&silenced=false&inhibited=false`)
  return { version: status.versionInfo?.version ?? 'unknown', activeAlerts: alerts.map((a) => a.labels.alertname ?? '?') }
}
