/**
 * `xrayops health-check --environment blue`: the checks a release makes before it sends traffic
 * to a colour, each named with what it found: deployed, its process running, ready, serving the
 * registered model, and a real prediction of the model's known image through HTTP answering the
 * known score.
 */
import fs from 'node:fs'
import path from 'node:path'
import { readManifest } from '../models/manifest.ts'
import { type Colour, getEnvironment } from '../state/environments.ts'
import { modelService, type ReleaseContext, runnerOf } from './context.ts'
import { healthProbe, modelMismatch, reachable, readyProbe } from './probe.ts'

export interface Check {
  name: string
  ok: boolean
  detail: string
}

export interface HealthCheckResult {
  colour: Colour
  ok: boolean
  url: string | null
  version: string | null
  checks: Check[]
}

export async function healthCheck(rc: ReleaseContext, colour: Colour, timeoutMs = 10_000): Promise<HealthCheckResult> {
  const env = getEnvironment(rc.state.db, colour)
  const checks: Check[] = []
  const result = (): HealthCheckResult => ({ colour, ok: checks.every((c) => c.ok), url, version: env.version, checks })
  const url = env.port === null ? null : reachable(env.host, env.port)
  if (env.modelId === null || !url) {
    checks.push({ name: 'deployed', ok: false, detail: `${colour} has never been deployed (xrayops deploy --environment ${colour} --version V)` })
    return result()
  }
  checks.push({ name: 'deployed', ok: env.state === 'ready', detail: `${env.name}@${env.version} on ${url}, state ${env.state} since ${env.updatedAt}` })
  const st = await runnerOf(rc, env.runner).status(modelService(colour)).catch((e: Error) => ({ state: 'unknown', detail: e.message, pid: null }))
  checks.push({ name: 'process', ok: st.state === 'active', detail: `${env.runner ?? 'process'}: ${st.state} (${st.detail})${st.pid ? `, pid ${st.pid}` : ''}` })
  const ready = await readyProbe(url, timeoutMs)
  checks.push({ name: 'ready', ok: ready.ready, detail: ready.ready ? '/v2/health/ready answers 200' : ready.why })
  if (!ready.ready) return result()
  const h = await healthProbe(url, timeoutMs)
  const mismatch = modelMismatch(h.model, env)
  checks.push({ name: 'model', ok: h.ready && !mismatch, detail: mismatch ?? (h.model ? `serves ${h.model.name}@${h.model.version} (sha256 ${h.model.sha256.slice(0, 12)}), status ${h.status}` : (h.why ?? 'no model')) })
  checks.push(await knownImage(rc, url, env.modelId, timeoutMs))
  return result()
}

/** A prediction of the manifest's warm-up image, uncached, through /v1/predict: the known score within its tolerance. */
async function knownImage(rc: ReleaseContext, url: string, modelId: number, timeoutMs: number): Promise<Check> {
  const name = 'prediction'
  try {
    const { manifest, manifestPath } = await readManifest(rc.registry.manifestPath(rc.registry.byId(modelId)))
    const w = manifest.warmup
    if (!w) return { name, ok: false, detail: 'the manifest names no known image' }
    const image = fs.readFileSync(path.resolve(path.dirname(manifestPath), w.file))
    const res = await fetch(`${url}/v1/predict`, {
      method: 'POST',
      headers: { 'content-type': 'application/octet-stream', 'cache-control': 'no-cache' },
      body: image,
      signal: AbortSignal.timeout(timeoutMs),
    })
    const body = (await res.json()) as { probabilities?: Record<string, number>; error?: { message: string } }
    if (!res.ok) return { name, ok: false, detail: `HTTP ${res.status}: ${body.error?.message ?? ''}` }
    const p = body.probabilities?.[manifest.positiveLabel] ?? Number.NaN
    const off = Math.abs(p - w.score)
    const ok = off <= w.tolerance
    return { name, ok, detail: `P(${manifest.positiveLabel}) of ${path.basename(w.file)} = ${p.toFixed(6)}, expected ${w.score.toFixed(6)} ± ${w.tolerance}${ok ? '' : ` (off by ${off.toFixed(6)})`}` }
  } catch (e) {
    return { name, ok: false, detail: (e as Error).message }
  }
}
