/**
 * Forwarding one request to a model server, streaming both ways: the request body goes upstream
 * as it arrives (counted against the body limit on the way), the answer comes back as the model
 * server sends it. Nothing is buffered whole.
 */
import { XrayError } from '../errors/index.ts'

/** Headers that belong to one connection (RFC 9110 7.6.1), and ours to set. */
const HOP = ['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'te', 'trailer', 'upgrade', 'proxy-authorization', 'proxy-authenticate', 'host']

export interface ForwardRequest {
  request: Request
  /** The model server's base URL. */
  base: string
  requestId: string
  maxBodyBytes: number
  timeoutMs: number
  /** The client's address, for X-Forwarded-For. */
  client?: string
}

/** Why a forward failed, as the gateway answers it. */
export class ForwardError extends Error {
  constructor(
    readonly error: XrayError,
    /** Nothing listens there: the upstream should be taken out at once. */
    readonly refused: boolean,
  ) {
    super(error.message)
  }
}

function requestHeaders(f: ForwardRequest): Headers {
  const h = new Headers(f.request.headers)
  for (const name of [...HOP, ...(h.get('connection')?.split(',').map((s) => s.trim().toLowerCase()) ?? [])]) h.delete(name)
  // The token was for the gateway; the model server does not see it.
  h.delete('authorization')
  h.set('x-request-id', f.requestId)
  const url = new URL(f.request.url)
  const xff = h.get('x-forwarded-for')
  if (f.client) h.set('x-forwarded-for', xff ? `${xff}, ${f.client}` : f.client)
  h.set('x-forwarded-proto', url.protocol.replace(':', ''))
  h.set('x-forwarded-host', url.host)
  return h
}

/** The request body, counted as it streams; past the limit the stream fails (and so the forward). */
function limited(body: ReadableStream<Uint8Array>, max: number, exceeded: () => void): ReadableStream<Uint8Array> {
  let size = 0
  return body.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        size += chunk.byteLength
        if (size > max) {
          exceeded()
          controller.error(new XrayError('INPUT_TOO_LARGE', `the request body exceeds ${max} bytes`))
        } else controller.enqueue(chunk)
      },
    }),
  )
}

const tooLarge = (max: number) => new XrayError('INPUT_TOO_LARGE', `the request body exceeds ${max} bytes`)

/** Sends the request to `base` and resolves with the model server's answer, its body still streaming. */
export async function forward(f: ForwardRequest): Promise<Response> {
  const { request: req, maxBodyBytes: max } = f
  const declared = Number(req.headers.get('content-length') ?? Number.NaN)
  if (declared > max) throw new ForwardError(tooLarge(max), false)
  let over = false
  const hasBody = req.body !== null && req.method !== 'GET' && req.method !== 'HEAD'
  const url = new URL(req.url)
  const timeout = AbortSignal.timeout(f.timeoutMs)
  try {
    return await fetch(`${f.base}${url.pathname}${url.search}`, {
      method: req.method,
      headers: requestHeaders(f),
      body: hasBody ? limited(req.body!, max, () => (over = true)) : undefined,
      duplex: 'half', // undici's option for a streamed request body
      redirect: 'manual',
      signal: AbortSignal.any([req.signal, timeout]),
    })
  } catch (e) {
    if (over) throw new ForwardError(tooLarge(max), false)
    if (timeout.aborted) throw new ForwardError(new XrayError('UPSTREAM_TIMEOUT', `the model server did not answer within ${f.timeoutMs} ms`), false)
    if (req.signal.aborted) throw new ForwardError(new XrayError('BAD_REQUEST', 'the client closed the connection'), false)
    const code = (e as Error & { cause?: { code?: string } }).cause?.code
    const refused = code === 'ECONNREFUSED'
    throw new ForwardError(new XrayError('UNREACHABLE', `the model server at ${f.base} failed: ${code ?? (e as Error).message}`, { cause: e }), refused)
  }
}

/**
 * The answer's headers as the client gets them: hop-by-hop ones and the request id dropped (the
 * gateway sets it). fetch has already decoded a compressed body (it negotiates Accept-Encoding
 * itself), so the encoding and length of the encoded form go too.
 */
export function responseHeaders(res: Response): Headers {
  const h = new Headers(res.headers)
  for (const name of [...HOP, 'x-request-id']) h.delete(name)
  if (h.has('content-encoding')) {
    h.delete('content-encoding')
    h.delete('content-length')
  }
  return h
}

/**
 * `body` passed through, calling `done` exactly once when it has been sent whole, failed, or
 * was abandoned by the client: the gateway counts a request in flight until then.
 */
export function tracked(body: ReadableStream<Uint8Array> | null, done: () => void): ReadableStream<Uint8Array> | null {
  let finished = false
  const finish = () => {
    if (!finished) {
      finished = true
      done()
    }
  }
  if (!body) {
    finish()
    return null
  }
  const reader = body.getReader()
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const { done: end, value } = await reader.read()
        if (end) {
          controller.close()
          finish()
        } else controller.enqueue(value)
      } catch (e) {
        controller.error(e)
        finish()
      }
    },
    async cancel(reason) {
      finish()
      await reader.cancel(reason).catch(() => undefined)
    },
  })
}
