import type { IncomingMessage } from 'node:http'
import type { Context, MiddlewareHandler } from 'hono'
import { XrayError } from '../../errors/index.ts'
import type { AppEnv, ServerContext } from '../context.ts'
import { JsonDepth } from '../json-depth.ts'

/**
 * Memory a body holds per byte received while its request runs: the bytes, and a copy (multipart
 * parts, a base64 decode); a JSON body also its text and the parsed values.
 */
const RAW_FACTOR = 2
const JSON_FACTOR = 3

const isJson = (type: string) => type === 'application/json' || type.endsWith('+json')

/**
 * The prediction routes' bodies, read before the route runs with their limits enforced while
 * they arrive: limits.max_body_bytes (413), the prediction service's memory budget for their
 * share (503 OVERLOADED past what is free, 413 past the whole budget: see Admission), and for JSON
 * the nesting depth (413 past limits.max_json_depth). The share is held until the answer is made.
 * Before the model is ready there is no budget to take from: the route answers 503 first.
 */
export const admitBody = (ctx: ServerContext): MiddlewareHandler<AppEnv> =>
  async function admitBody(c, next) {
    const service = ctx.host.service
    if (c.req.method !== 'POST' || !service || ctx.host.state !== 'ready') return next()
    const body = chunksOf(c)
    if (!body) return next()
    const { maxBodyBytes, maxJsonDepth } = ctx.config.limits
    const type = (c.req.header('content-type') ?? '').split(';')[0]!.trim().toLowerCase()
    const json = isJson(type)
    const factor = json ? JSON_FACTOR : RAW_FACTOR
    const tooLarge = () => new XrayError('INPUT_TOO_LARGE', `the request body exceeds ${maxBodyBytes} bytes (limits.max_body_bytes)`, { details: { limit: maxBodyBytes } })
    const share = service.admission.reserve()
    try {
      const declared = Number(c.req.header('content-length'))
      if (declared > maxBodyBytes) throw tooLarge()
      // With no room for one more image, refuse without keeping the body: it is read and dropped, so the
      // answer is not cut off by a reset (closing a socket with unread data resets it).
      try {
        service.admission.ensureRoom({ images: 1, bytes: 0 })
      } catch (e) {
        await discard(body, maxBodyBytes)
        throw e
      }
      if (declared > 0) share.grow(declared * factor)
      const depth = json ? new JsonDepth(maxJsonDepth) : undefined
      const chunks: Uint8Array[] = []
      let size = 0
      try {
        for (;;) {
          const value = await body.read()
          if (!value) break
          size += value.length
          if (size > maxBodyBytes) throw tooLarge()
          if (size * factor > share.bytes) share.grow(size * factor - share.bytes)
          depth?.feed(value)
          chunks.push(value)
        }
      } catch (e) {
        // Refused for room mid-way: the rest is read and dropped so that the 503 arrives whole. Too large
        // or too deep: answered at once (reading on is what the limits are there to prevent).
        if (e instanceof XrayError && e.code === 'OVERLOADED') await discard(body, maxBodyBytes - size)
        else body.cancel()
        throw e instanceof XrayError ? e : new XrayError('BAD_REQUEST', `the request body could not be read: ${(e as Error).message}`, { cause: e })
      }
      const bytes = Buffer.concat(chunks, size)
      // The chunks are garbage now, but this function's frame lives until the answer is sent (a
      // wait of a few hundred ms under load): dropped here, they die young instead of being
      // promoted to the old generation, where only a full collection frees them.
      chunks.length = 0
      c.set('body', bytes)
      // Raw images and JSON are read from `body` (src/server/body.ts); a multipart body is parsed from the
      // Request, so it gets the bytes read as its body again: a stream of them (a Request made from the
      // bytes themselves would copy them). Making that Request costs ~70 µs, so only multipart pays it.
      if (type === 'multipart/form-data') {
        const headers = new Headers(c.req.raw.headers)
        headers.delete('transfer-encoding')
        headers.set('content-length', String(size))
        const again = new ReadableStream<Uint8Array>({
          pull(ctl) {
            ctl.enqueue(bytes)
            ctl.close()
          },
        })
        c.req.raw = new Request(c.req.raw.url, { method: 'POST', headers, body: again, signal: c.req.raw.signal, duplex: 'half' } as RequestInit)
      }
      await next()
    } finally {
      share.release()
    }
  }

/** A request body's chunks as they arrive: `read` resolves undefined at its end; `cancel` stops it. */
interface Chunks {
  read(): Promise<Uint8Array | undefined>
  cancel(): void
}

/**
 * The body straight from Node's request where there is one: its web stream (the Request's body)
 * copies every chunk on the way, and those copies are garbage V8 has to collect (a full collection
 * every ~40 requests at c=16 came from such outside-the-heap memory). Else the Request's stream
 * (app.request() in tests); undefined when the request has no body.
 */
function chunksOf(c: Context<AppEnv>): Chunks | undefined {
  const incoming = (c.env as { incoming?: IncomingMessage } | undefined)?.incoming
  if (incoming && !incoming.readableDidRead) {
    const it = incoming[Symbol.asyncIterator]() as AsyncIterator<Buffer>
    return {
      read: async () => {
        const r = await it.next()
        return r.done ? undefined : r.value
      },
      cancel: () => void it.return?.().catch(() => undefined),
    }
  }
  const body = c.req.raw.body
  if (!body) return undefined
  const reader = body.getReader()
  return {
    read: async () => {
      const r = await reader.read()
      return r.done ? undefined : r.value
    },
    cancel: () => void reader.cancel().catch(() => undefined),
  }
}

/** Reads a body to its end (at most `max` more bytes), keeping nothing. */
async function discard(body: Chunks, max: number): Promise<void> {
  let size = 0
  try {
    for (;;) {
      const value = await body.read()
      if (!value || (size += value.length) > max) break
    }
  } catch {
    // the client went away: nothing to answer
  } finally {
    body.cancel()
  }
}
