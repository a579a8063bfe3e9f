/** What is wrong with one fuzz answer, or undefined: a 5xx, a 4xx without a named error, a 200 without finite probabilities. */

type Json = Record<string, unknown> | undefined
const INTERNAL = new Set(['INFERENCE_FAILED', 'GPU_ERROR', 'NO_GPU'])

const finiteProbabilities = (p: unknown): boolean => {
  const values = Array.isArray(p) ? p : p && typeof p === 'object' ? Object.values(p) : []
  return values.length > 0 && values.every((v) => typeof v === 'number' && Number.isFinite(v) && v >= 0 && v <= 1)
}

export function answerProblem(status: number, path: string, body: unknown): string | undefined {
  const b = body as Json
  const error = b?.error as { code?: string; message?: string } | undefined
  if (status >= 500) return `answered ${status} ${error?.code ?? ''}: ${error?.message ?? ''}`
  if (status !== 200) return error?.code && error.message ? undefined : `answered ${status} without a JSON error naming the problem`
  if (!b) return 'answered 200 without a JSON body'
  if (path === '/v1/predict') return finiteProbabilities(b.probabilities) && typeof b.label === 'string' ? undefined : `answered 200 without finite probabilities: ${JSON.stringify(b.probabilities)}`
  if (path === '/v1/predict/batch') {
    const results = b.results as { ok: boolean; probabilities?: unknown; error?: { code: string } }[]
    if (!Array.isArray(results)) return 'a batch answered 200 without results'
    for (const [i, r] of results.entries()) {
      if (r.ok && !finiteProbabilities(r.probabilities)) return `batch result ${i} has no finite probabilities`
      if (!r.ok && (!r.error?.code || INTERNAL.has(r.error.code))) return `batch result ${i} failed with ${r.error?.code}`
    }
    return undefined
  }
  const outputs = b.outputs as { name: string; data: unknown[] }[] | undefined
  const p = outputs?.find((o) => o.name === 'probabilities')
  if (!Array.isArray(outputs)) return 'an infer answered 200 without outputs'
  return !p || finiteProbabilities(p.data) ? undefined : `infer answered 200 with probabilities ${JSON.stringify(p.data).slice(0, 200)}`
}
