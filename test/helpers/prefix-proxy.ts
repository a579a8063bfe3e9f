import http from 'node:http'
import type { AddressInfo } from 'node:net'

/**
 * A stand-in for a gateway that publishes a server under a path prefix: `<proxy>/prefix/x` is
 * forwarded to `<target>/x`; anything outside the prefix is a 404 (so a page that used an
 * absolute URL would break here).
 */
export async function prefixProxy(target: string, prefix: string): Promise<{ url: string; close: () => Promise<void> }> {
  const server = http.createServer((req, res) => {
    if (!req.url?.startsWith(`${prefix}/`) && req.url !== prefix) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end(`outside ${prefix}`)
      return
    }
    const upstream = http.request(`${target}${req.url.slice(prefix.length) || '/'}`, { method: req.method, headers: req.headers }, (r) => {
      res.writeHead(r.statusCode ?? 502, r.headers)
      r.pipe(res)
    })
    upstream.on('error', () => res.writeHead(502).end())
    req.pipe(upstream)
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}${prefix}`,
    close: () =>
      new Promise((r) => {
        server.closeAllConnections()
        server.close(() => r())
      }),
  }
}
