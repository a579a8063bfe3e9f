import type { IncomingMessage } from 'node:http'
import type { MiddlewareHandler } from 'hono'

/**
 * A response sent while its request body is still arriving (a refusal that needed no body: an
 * unknown model, a 413, a 503) says `Connection: close`. The server stops reading that body and
 * closes the socket, so a client must not send its next request on it; without the header a
 * keep-alive client would, and see "other side closed".
 */
export const closeUnreadBody = (): MiddlewareHandler =>
  async function closeUnreadBody(c, next) {
    await next()
    const incoming = (c.env as { incoming?: IncomingMessage } | undefined)?.incoming
    if (incoming && !incoming.complete) c.header('Connection', 'close')
  }
