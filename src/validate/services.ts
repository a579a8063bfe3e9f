/**
 * The services answer: each model server's /health is `ok` and names the model recorded for it,
 * each answers its model's known image (the manifest's warm-up image, uncached) with the golden
 * probability within 1e-3, and the gateway routes to a live colour.
 */
import fs from 'node:fs'
import path from 'node:path'
import { gatewayView } from '../deploy/gateway-client.ts'
import { healthProbe, modelMismatch, type ServedModel } from '../deploy/probe.ts'
import { readManifest } from '../models/manifest.ts'
import { fail, pass, skip, type ValidationCheck } from './check.ts'

export interface ModelTarget {
  /** `blue`, `green`, or `server` for a plain `xrayops serve`. */
  label: string
  url: string
  /** What the state database says it runs, when it does. */
  expected?: { version: string | null; sha256: string | null }
}

/** The manifest of a served model (the registry's, or the shipped one), by its sha256. */
export type ManifestOf = (model: ServedModel) => string | undefined

const TOLERANCE = 1e-3

export async function modelChecks(t: ModelTarget, manifestOf: ManifestOf, timeoutMs: number): Promise<ValidationCheck[]> {
  const health = `model ${t.label} health`
  const known = `model ${t.label} known image`
  const h = await healthProbe(t.url, timeoutMs)
  const mismatch = t.expected ? modelMismatch(h.model, t.expected) : undefined
  const served = h.model ? `${h.model.name}@${h.model.version}` : 'no model'
  if (h.status !== 'ok' || mismatch || !h.model) {
    const why = mismatch ?? h.why ?? (h.status === 'degraded' ? 'degraded (see its /health checks)' : `status ${h.status}`)
    return [fail(health, `${t.url}: ${served}, ${why}`), skip(known, 'its health check failed')]
  }
  return [pass(health, `${t.url}: ok, serves ${served} (sha256 ${h.model.sha256.slice(0, 12)})`), await knownImage(known, t.url, h.model, manifestOf, timeoutMs)]
}

async function knownImage(name: string, url: string, model: ServedModel, manifestOf: ManifestOf, timeoutMs: number): Promise<ValidationCheck> {
  const where = manifestOf(model)
  if (!where) return fail(name, `no manifest of ${model.name}@${model.version} (sha256 ${model.sha256.slice(0, 12)}) in the registry or shipped with xrayops: its known image is unknown`)
  const { manifest, manifestPath } = await readManifest(where)
  const w = manifest.warmup
  if (!w) return fail(name, `${manifestPath} names no known image`)
  const tolerance = Math.min(w.tolerance, TOLERANCE)
  const res = await fetch(`${url}/v1/predict`, {
    method: 'POST',
    headers: { 'content-type': 'application/octet-stream', 'cache-control': 'no-cache' },
    body: fs.readFileSync(path.resolve(path.dirname(manifestPath), w.file)),
    signal: AbortSignal.timeout(timeoutMs),
  })
  const body = (await res.json().catch(() => ({}))) as { probabilities?: Record<string, number>; error?: { message?: string } }
  if (!res.ok) return fail(name, `HTTP ${res.status}: ${body.error?.message ?? 'no answer'}`)
  const p = body.probabilities?.[manifest.positiveLabel] ?? Number.NaN
  const off = Math.abs(p - w.score)
  const text = `P(${manifest.positiveLabel}) of ${path.basename(w.file)} = ${p.toFixed(6)}, golden ${w.score.toFixed(6)} ± ${tolerance}`
  return off <= tolerance ? pass(name, text) : fail(name, `${text} (off by ${off.toFixed(6)})`)
}

export async function gatewayCheck(url: string | undefined, why: string): Promise<ValidationCheck> {
  const name = 'gateway'
  if (!url) return skip(name, why)
  const v = await gatewayView(url, 5_000)
  if (!v) return fail(name, `${url}: not answering`)
  if (!v.ready || !v.live) return fail(name, `${url}: not ready${v.reason ? ` (${v.reason})` : ''}, routes to ${v.live ?? 'no colour'}`)
  return pass(name, `${url}: ready, routes to ${v.live} (generation ${v.generation})`)
}
