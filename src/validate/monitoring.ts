/**
 * Monitoring works: Prometheus answers and every target it scrapes is up (asked through its query
 * API: `up`), its alert rules are loaded and healthy (/api/v1/rules), Alertmanager is ready (/-/ready).
 */
import { isReady, rules } from '../monitoring/api.ts'
import { fail, pass, type ValidationCheck } from './check.ts'

export async function scrapeCheck(prometheus: string): Promise<ValidationCheck> {
  const name = 'prometheus scraping'
  const res = await fetch(`${prometheus}/api/v1/query?query=up`, { signal: AbortSignal.timeout(5_000) })
  const body = (await res.json().catch(() => ({}))) as { status?: string; error?: string; data?: { result: { metric: Record<string, string>; value: [number, string] }[] } }
  if (body.status !== 'success' || !body.data) return fail(name, `${prometheus}: the query API answered HTTP ${res.status}${body.error ? `: ${body.error}` : ''}`)
  const series = body.data.result
  if (series.length === 0) return fail(name, `${prometheus}: scrapes no target (up has no series yet)`)
  const down = series.filter((s) => s.value[1] !== '1').map((s) => `${s.metric.job}/${s.metric.instance}`)
  const jobs = [...new Set(series.map((s) => s.metric.job))].sort().join(', ')
  if (down.length) return fail(name, `${prometheus}: ${down.length} of ${series.length} target(s) down: ${down.join(', ')}`)
  return pass(name, `${prometheus}: ${series.length} target(s) up (${jobs})`)
}

export async function rulesCheck(prometheus: string): Promise<ValidationCheck> {
  const name = 'prometheus rules'
  const groups = await rules(prometheus)
  const alerts = groups.flatMap((g) => g.alerts)
  if (alerts.length === 0) return fail(name, `${prometheus}: no alert rules loaded`)
  const bad = alerts.filter((a) => a.health !== 'ok' && a.health !== 'unknown')
  if (bad.length) return fail(name, `${prometheus}: ${bad.length} rule(s) failing to evaluate: ${bad.map((a) => a.name).join(', ')}`)
  const firing = alerts.filter((a) => a.state === 'firing').map((a) => a.name)
  return pass(name, `${prometheus}: ${alerts.length} alert rules in ${groups.length} groups loaded${firing.length ? `; firing: ${[...new Set(firing)].join(', ')}` : ''}`)
}

export async function alertmanagerCheck(alertmanager: string): Promise<ValidationCheck> {
  const name = 'alertmanager'
  return (await isReady(alertmanager)) ? pass(name, `${alertmanager}/-/ready answers 200`) : fail(name, `${alertmanager}/-/ready does not answer 200`)
}
