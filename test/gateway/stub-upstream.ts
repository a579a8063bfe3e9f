/**
 * A stand-in model server for the gateway's own tests: a real HTTP server on loopback that
 * answers the readiness and health checks the way a model server does, names itself in every
 * answer, and lets a test hold a request or stream an answer in parts (what a real model server
 * cannot be told to do on cue). The end-to-end tests use real model servers.
 */
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import zlib from 'node:zlib'

export interface Stub {
  url: string
  name: string
  ready: boolean
  /** Requests seen, with their headers and how many body bytes arrived. */
  seen: { method: string; url: string; headers: http.IncomingHttpHeaders; bytes: number; complete: boolean }[]
  /** Resolves the held requests (POST /v1/hold): they answer now. */
  release: () => void
  /** Resolves once a request to /v1/hold has arrived. */
  held: () => Promise<void>
  /** Resolves once /v1/upload has received its first chunk (its request still open). */
  firstChunk: () => Promise<void>
  /** /v1/download sends its first part, then waits for this. */
  finishDownload: () => void
  close: () => Promise<void>
}

const deferred = () => {
  let resolve!: () => void
  const promise = new Promise<void>((r) => (resolve = r))
  return { promise, resolve }
}

export async function startStub(name: string, model = { name: 'pneumonia', version: '1.0.0', sha256: 'a'.repeat(64) }): Promise<Stub> {
  let hold = deferred()
  let arrived = deferred()
  const chunk = deferred()
  const download = deferred()
  const stub = {} as Stub
  const server = http.createServer((req, res) => {
    const entry = { method: req.method!, url: req.url!, headers: req.headers, bytes: 0, complete: false }
    stub.seen.push(entry)
    req.on('data', (d: Buffer) => {
      entry.bytes += d.length
      if (req.url === '/v1/upload') chunk.resolve()
    })
    req.on('end', async () => {
      entry.complete = true
      const send = (status: number, body: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json', 'x-request-id': 'upstream-should-not-leak' })
        res.end(JSON.stringify(body))
      }
      if (req.url === '/v2/health/ready') return send(stub.ready ? 200 : 503, { ready: stub.ready })
      if (req.url === '/health') return send(stub.ready ? 200 : 503, { status: stub.ready ? 'ok' : 'down', model })
      if (req.url === '/v1/hold') {
        arrived.resolve()
        await hold.promise
      }
      if (req.url === '/v1/gzip') {
        res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip' })
        return res.end(zlib.gzipSync(JSON.stringify({ served_by: name, compressed: true })))
      }
      if (req.url === '/v1/download') {
        res.writeHead(200, { 'content-type': 'text/plain' })
        res.write('first part;')
        await download.promise
        return res.end('second part')
      }
      send(200, { served_by: name, bytes: entry.bytes, request_id: req.headers['x-request-id'], model })
    })
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  Object.assign(stub, {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    name,
    ready: true,
    seen: [],
    release: () => {
      hold.resolve()
      hold = deferred()
      arrived = deferred()
    },
    held: () => arrived.promise,
    firstChunk: () => chunk.promise,
    finishDownload: () => download.resolve(),
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections()
        server.close(() => r())
      }),
  })
  return stub
}
