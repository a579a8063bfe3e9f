/**
 * HTTP/1.1 framing as a broken or hostile client writes it, over a loopback socket: malformed and
 * huge chunk sizes, chunk extensions, bodies shorter than Content-Length, Content-Length and
 * Transfer-Encoding together, unknown codings, bad header lines, oversized headers, a bad request
 * line, HTTP/1.0, garbage pipelined after a request, uploads abandoned half way.
 */
import { head } from '../raw-http.ts'
import type { Rng } from './rng.ts'

export const RAW_MUTATIONS = ['chunk-size', 'chunk-ext', 'short-body', 'cl-and-te', 'te-unknown', 'bad-header', 'huge-header', 'request-line', 'http10', 'pipelined', 'abandoned'] as const
export type RawMutation = (typeof RAW_MUTATIONS)[number]

/** What to write, in order; the client half-closes after the last part. */
export function rawCase(r: Rng, path: string, type: string, body: Uint8Array, kind: RawMutation): (string | Uint8Array)[] {
  const h = (headers: Record<string, string | number>) => head('POST', path, { 'Content-Type': type, Connection: 'close', ...headers })
  const chunked = (b: Uint8Array) => [`${b.length.toString(16)}\r\n`, b, '\r\n0\r\n\r\n']
  const cut = body.subarray(0, r.int(body.length))
  switch (kind) {
    case 'chunk-size':
      return [h({ 'Transfer-Encoding': 'chunked' }), `${r.pick(['zz', '-1', 'ffffffffffffffff', '', ' 10', '0x10', '1 0', '7fffffff'])}\r\n`, cut]
    case 'chunk-ext':
      return [h({ 'Transfer-Encoding': 'chunked' }), `${body.length.toString(16)};${r.pick(['a=b', 'x'.repeat(r.int(20000)), '\u0000', '=;=;'])}\r\n`, body, '\r\n0\r\n\r\n']
    case 'short-body':
      return [h({ 'Content-Length': body.length + 1 + r.int(1000) }), cut]
    case 'cl-and-te':
      return [h({ 'Content-Length': r.int(body.length + 10), 'Transfer-Encoding': 'chunked' }), ...chunked(body)]
    case 'te-unknown':
      return [h({ 'Transfer-Encoding': r.pick(['gzip', 'gzip, chunked', 'chunked, gzip', 'identity', 'chunked, chunked', 'x']) }), ...chunked(body)]
    case 'bad-header':
      return [`POST ${path} HTTP/1.1\r\nHost: t\r\nContent-Length: ${body.length}\r\n${r.pick(['NoColon', ' Leading: space', 'Bad Name: x', 'X: \u0000', 'X: a\rb', 'Content-Length: 5', 'Content-Length: -1'])}\r\nConnection: close\r\n\r\n`, body]
    case 'huge-header':
      return [h({ 'Content-Length': body.length, 'X-Fill': 'a'.repeat(8000 + r.int(60000)) }), body]
    case 'request-line':
      return [`${r.pick(['POST', 'GET', 'BREW', 'P\u0000ST', ''])} ${r.pick([path, '*', '//', `${path}?${'q'.repeat(r.int(20000))}`, 'http://x/../..', '%zz'])} ${r.pick(['HTTP/1.1', 'HTTP/9.9', 'HTP/1.1', ''])}\r\nHost: t\r\nConnection: close\r\n\r\n`]
    case 'http10':
      return [`POST ${path} HTTP/1.0\r\nContent-Type: ${type}\r\nContent-Length: ${body.length}\r\n\r\n`, body]
    case 'pipelined':
      return [h({ 'Content-Length': body.length }), body, Uint8Array.from({ length: r.int(3000) }, () => r.int(256))]
    case 'abandoned':
      return [h(r.next() < 0.5 ? { 'Transfer-Encoding': 'chunked' } : { 'Content-Length': body.length }), r.next() < 0.5 ? `${body.length.toString(16)}\r\n` : '', cut]
  }
}
