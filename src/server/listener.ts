import net from 'node:net'
import type { Server } from 'node:http'
import { createAdaptorServer } from '@hono/node-server'
import { XrayError } from '../errors/index.ts'

export interface ConnectionLimits {
  /** Open connections beyond which a new one is answered 503 and closed. */
  maxConnections: number
  headersTimeoutMs: number
  requestTimeoutMs: number
  keepAliveTimeoutMs: number
}

/**
 * Connections the kernel completes and holds until the event loop accepts them (Node's default is
 * 511; Linux caps it at net.core.somaxconn, 4096 on current kernels). The front accepts at once,
 * so the queue only fills while the event loop is held up; past it the kernel drops connections
 * and clients retry after seconds.
 */
export const LISTEN_BACKLOG = 4096

/** How long a refused connection may go on sending before it is closed. */
const REFUSED_LINGER_MS = 5_000

const refusal = (() => {
  const body = JSON.stringify(new XrayError('OVERLOADED', 'the server has as many open connections as it takes (server.max_connections); try again shortly').toJSON())
  return `HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\nRetry-After: 1\r\nConnection: close\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`
})()

/**
 * An HTTP server behind a plain TCP listener that takes every connection at once, so the kernel's
 * accept queue never fills: past `maxConnections` open ones, a new connection is answered
 * 503 OVERLOADED (Retry-After: 1) and closed instead of waiting or being reset. Slow clients are
 * bounded by the header, request and keep-alive timeouts.
 */
export function guardedServer(fetch: (req: Request) => Response | Promise<Response>, limits: ConnectionLimits) {
  const serverOptions = {
    headersTimeout: limits.headersTimeoutMs,
    requestTimeout: limits.requestTimeoutMs,
    keepAliveTimeout: limits.keepAliveTimeoutMs,
    // How often the header and request timeouts are checked (Node's default is every 30 s).
    connectionsCheckingInterval: Math.max(100, Math.min(1_000, limits.headersTimeoutMs / 2)),
  }
  const http = createAdaptorServer({ fetch, serverOptions }) as Server
  let open = 0
  const front = net.createServer((socket) => {
    if (open >= limits.maxConnections) return refuse(socket)
    open++
    socket.once('close', () => open--)
    http.emit('connection', socket)
  })
  // The HTTP server's timeout checks start when it "listens": the front listens for it.
  front.once('listening', () => http.emit('listening'))
  return {
    front,
    http,
    get connections() {
      return open
    },
  }
}

/** Answers 503 and half-closes; what the client still sends is read and dropped (closing on unread data would reset it). */
function refuse(socket: net.Socket) {
  socket.on('error', () => undefined)
  socket.on('data', () => undefined)
  socket.end(refusal)
  setTimeout(() => socket.destroy(), REFUSED_LINGER_MS).unref()
}
