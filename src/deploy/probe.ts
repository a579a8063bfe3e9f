/**
 * Is a colour's model server ready, and does it serve the model the state database says it
 * runs? The gateway's health checks and the release commands ask the same questions the same way.
 */

export interface ServedModel {
  name: string
  version: string
  sha256: string
}

export type ReadyAnswer = { ready: true } | { ready: false; why: string; definite: boolean }

const failure = (e: unknown): { why: string; definite: boolean } => {
  const err = e as Error & { cause?: { code?: string } }
  if (err.name === 'TimeoutError' || err.name === 'AbortError') return { why: 'it did not answer in time', definite: false }
  const code = err.cause?.code
  // Nothing listens there (or the process just died): certain, no need to ask twice.
  if (code === 'ECONNREFUSED' || code === 'ECONNRESET' || code === 'EHOSTUNREACH') return { why: `connection refused (${code})`, definite: true }
  return { why: `unreachable (${code ?? err.message})`, definite: false }
}

/**
 * GET <url>/v2/health/ready: ready on 200. `definite` says whether one answer is enough to call
 * it down (refused, or the server itself says not ready) or whether a timeout may pass.
 */
export async function readyProbe(url: string, timeoutMs: number): Promise<ReadyAnswer> {
  try {
    const res = await fetch(`${url}/v2/health/ready`, { signal: AbortSignal.timeout(timeoutMs) })
    await res.arrayBuffer()
    if (res.ok) return { ready: true }
    return { ready: false, why: `/v2/health/ready answered ${res.status} (loading, failed or draining)`, definite: true }
  } catch (e) {
    return { ready: false, ...failure(e) }
  }
}

interface HealthBody {
  status?: string
  model?: ServedModel | null
  checks?: { model?: { status?: string; error?: { message?: string } }; shutting_down?: boolean }
}

export interface HealthAnswer {
  ready: boolean
  /** What it serves, when it has loaded a model. */
  model: ServedModel | null
  status: string
  /** The model failed to load or failed its warm-up check: it will not become ready by waiting. */
  failed: boolean
  why?: string
}

/** GET <url>/health: the model server's full report (model, status, why it is down). */
export async function healthProbe(url: string, timeoutMs: number): Promise<HealthAnswer> {
  try {
    const res = await fetch(`${url}/health`, { signal: AbortSignal.timeout(timeoutMs) })
    const body = (await res.json().catch(() => ({}))) as HealthBody
    const status = body.status ?? `HTTP ${res.status}`
    const ready = status === 'ok' || status === 'degraded'
    const error = body.checks?.model?.error?.message
    const why = ready
      ? undefined
      : body.checks?.shutting_down
        ? 'it is shutting down'
        : error
          ? `its model failed to load: ${error}`
          : `its model is ${body.checks?.model?.status ?? 'not loaded'}`
    return { ready, model: body.model ?? null, status, failed: body.checks?.model?.status === 'failed', ...(why ? { why } : {}) }
  } catch (e) {
    return { ready: false, model: null, status: 'down', failed: false, why: failure(e).why }
  }
}

/** Why `served` is not the model expected, or undefined when it is. */
export function modelMismatch(served: ServedModel | null, expected: { version: string | null; sha256: string | null }): string | undefined {
  if (!expected.version) return undefined
  if (!served) return 'it reports no model'
  if (served.version !== expected.version) return `it serves version ${served.version}, not ${expected.version}`
  if (expected.sha256 && served.sha256 !== expected.sha256) return `it serves ${served.sha256.slice(0, 12)}, not the registered ${expected.sha256.slice(0, 12)}`
  return undefined
}

/** A URL a client can reach for a listen address: a wildcard listen address is reached on loopback. */
export const reachable = (host: string | null, port: number): string => {
  const h = !host || host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host
  return `http://${h.includes(':') ? `[${h}]` : h}:${port}`
}

/** Why the server at `url` cannot take traffic for `expected` (not ready, or another model); undefined when it can. */
export async function notServing(url: string, expected: { version: string | null; sha256: string | null }, timeoutMs: number): Promise<string | undefined> {
  const r = await readyProbe(url, timeoutMs)
  if (!r.ready) return `not ready: ${r.why}`
  const h = await healthProbe(url, timeoutMs)
  if (!h.ready) return h.why ?? 'its /health says down'
  return modelMismatch(h.model, expected)
}
