/**
 * The health listener's own thread. It answers from the last snapshot the server's main thread
 * sent (every SNAPSHOT_MS), so a busy or blocked main event loop cannot delay a probe; a main
 * loop that stopped sending snapshots is itself the failure liveness reports. Plain JavaScript
 * (node:http only), run with `eval` so the single executable needs no file for it.
 */
export const SNAPSHOT_MS = 250
/** A snapshot older than this: not ready (send traffic elsewhere). */
export const READY_STALE_MS = 10_000
/** A snapshot older than this: not live (the main event loop is stuck; restart the process). */
export const LIVE_STALE_MS = 30_000

export const workerSource = `
const http = require('node:http')
const { parentPort, workerData } = require('node:worker_threads')
const { host, port, readyStaleMs, liveStaleMs } = workerData
let snap = { at: Date.now(), ready: false, report: { status: 'down' } }
parentPort.on('message', (m) => { snap = { ...m, at: Date.now() } })
const send = (res, status, body) => {
  const text = JSON.stringify(body)
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), 'cache-control': 'no-store' })
  res.end(text)
}
const server = http.createServer((req, res) => {
  const age = Date.now() - snap.at
  const path = (req.url || '/').split('?')[0]
  if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 404, { error: { code: 'NOT_FOUND', message: 'the health listener answers GET only; no route for ' + req.method + ' ' + path } })
  if (path === '/health/live' || path === '/v2/health/live') {
    const live = age < liveStaleMs
    return send(res, live ? 200 : 503, live ? { live: true } : { live: false, reason: 'the server has not answered its health thread for ' + Math.round(age / 1000) + ' s' })
  }
  if (path === '/health/ready' || path === '/v2/health/ready') {
    const ready = snap.ready && age < readyStaleMs
    return send(res, ready ? 200 : 503, { ready })
  }
  if (path === '/health') {
    const stale = age >= readyStaleMs
    const report = stale ? { ...snap.report, status: 'down', ready: false } : snap.report
    return send(res, report.status === 'down' ? 503 : 200, { ...report, snapshot_age_ms: age })
  }
  send(res, 404, { error: { code: 'NOT_FOUND', message: 'the health listener serves /health, /health/live and /health/ready; not ' + path } })
})
server.keepAliveTimeout = 5000
server.on('error', (e) => parentPort.postMessage({ error: { code: e.code, message: e.message } }))
server.listen(port, host, () => parentPort.postMessage({ listening: server.address().port }))
`
