import { XrayError } from '../errors/index.ts'

/** Codes of a request broken off by its client: reset, closed early, or framed badly (llhttp's HPE_*). */
const CLIENT_CODES = /^(ECONNRESET|ECONNABORTED|EPIPE|ERR_STREAM_PREMATURE_CLOSE|HPE_\w+)$/

/**
 * The client's failure behind `err`, if it is one: the connection was reset or closed while the
 * body was being read, or its chunked framing was malformed (Node ends the body with "aborted").
 * Such a request is a 400 (the client is at fault), never INFERENCE_FAILED, and never degrades health.
 */
export function clientFault(err: unknown): XrayError | undefined {
  for (let e = err as { code?: unknown; message?: unknown; cause?: unknown } | undefined, depth = 0; e && depth < 4; e = e.cause as typeof e, depth++) {
    if ((typeof e.code === 'string' && CLIENT_CODES.test(e.code)) || e.message === 'aborted')
      return new XrayError('BAD_REQUEST', `the request body could not be read: the client ended the connection or sent malformed framing (${String(e.code ?? e.message)})`, { cause: err })
  }
  return undefined
}
