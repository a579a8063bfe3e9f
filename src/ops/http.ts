/** GET with a timeout; never throws: an unreachable service is a result, not an exception. */
export async function probe(url: string, timeoutMs: number): Promise<{ ok: boolean; status?: number; body?: string; error?: string; ms: number }> {
  const t0 = performance.now()
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) })
    const body = await res.text()
    return { ok: res.ok, status: res.status, body, ms: performance.now() - t0 }
  } catch (e) {
    const err = e as Error & { cause?: { code?: string } }
    return { ok: false, error: err.cause?.code ?? err.name ?? err.message, ms: performance.now() - t0 }
  }
}
