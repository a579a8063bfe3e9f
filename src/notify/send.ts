/** POSTs a notice to each receiver; says per receiver whether it took it. */
export interface Delivery {
  url: string
  ok: boolean
  /** HTTP status, when one came back. */
  status?: number
  error?: string
}

export async function deliver(urls: readonly string[], body: unknown, timeoutMs = 10_000): Promise<Delivery[]> {
  const json = JSON.stringify(body)
  return Promise.all(
    urls.map(async (url): Promise<Delivery> => {
      try {
        const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', 'user-agent': 'xrayops-notify' }, body: json, signal: AbortSignal.timeout(timeoutMs) })
        await res.arrayBuffer()
        return res.ok ? { url, ok: true, status: res.status } : { url, ok: false, status: res.status, error: `answered HTTP ${res.status}` }
      } catch (e) {
        const cause = (e as { cause?: { code?: string; message?: string } }).cause
        const why = (e as Error).name === 'TimeoutError' ? `no answer within ${timeoutMs / 1000} s` : `cannot be reached: ${cause?.code ?? cause?.message ?? (e as Error).message}`
        return { url, ok: false, error: why }
      }
    }),
  )
}
