import { createServer, type Server } from 'node:http'
import { freePort } from '../helpers/process.ts'

export interface Received {
  path: string
  contentType: string
  body: unknown
}

/** An HTTP receiver on loopback that records every POST and answers `status`. */
export async function receiver(status = 200): Promise<{ url: string; received: Received[]; close: () => Promise<void>; server: Server }> {
  const received: Received[] = []
  const server = createServer((req, res) => {
    let body = ''
    req.on('data', (d) => (body += d))
    req.on('end', () => {
      received.push({ path: req.url ?? '', contentType: req.headers['content-type'] ?? '', body: JSON.parse(body) })
      res.statusCode = status
      res.end(status < 300 ? 'ok' : 'no')
    })
  })
  const port = await freePort()
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', r))
  return { url: `http://127.0.0.1:${port}/hook`, received, server, close: () => new Promise((r) => server.close(() => r())) }
}
