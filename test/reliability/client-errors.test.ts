/**
 * A client that sends a malformed or unfinished body is at fault, not the server: the request is
 * a 4xx in the metrics, nothing is logged as an internal error, and /health stays ok.
 */
import { consola, type ConsolaReporter } from 'consola'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { readFixture } from '../helpers/fixtures.ts'
import { head, rawExchange } from '../helpers/raw-http.ts'
import { json, parsePrometheus, start } from '../helpers/server.ts'

const jpeg = readFixture('xray-224/NORMAL/IM-0005-0001.jpeg')
const infer = '/v2/models/pneumonia-efficientnet_b0/infer'

describe('client-side body failures (real socket)', () => {
  let s: Awaited<ReturnType<typeof start>>
  let port: number
  // What the server logs at error level meanwhile: a client's failure must not be one.
  const errors: string[] = []
  const reporter: ConsolaReporter = { log: (l) => void (l.level <= 0 && errors.push(`${l.tag}: ${l.args.join(' ')}`)) }
  beforeAll(async () => {
    s = await start()
    consola.addReporter(reporter)
    await s.loaded
    port = Number(new URL(s.url).port)
  })
  afterAll(() => {
    consola.removeReporter(reporter)
    return s?.close()
  })

  const metrics = async () => parsePrometheus(await (await fetch(`${s.url}/metrics`)).text())
  const count = (m: Map<string, number>, re: RegExp) => [...m].filter(([k]) => re.test(k)).reduce((a, [, v]) => a + v, 0)

  it.each([
    ['/v1/predict', 'image/jpeg'],
    ['/v1/predict', 'multipart/form-data; boundary=x'],
    ['/v1/predict/batch', 'multipart/form-data; boundary=x'],
    [infer, 'application/json'],
  ])('a malformed chunk size (zz) on %s (%s) is a 400, never a 500, and /health stays ok', async (path, type) => {
    const answer = await rawExchange(port, [head('POST', path, { 'Content-Type': type, 'Transfer-Encoding': 'chunked' }), 'zz\r\n'])
    expect(answer.status).toBe(400)
    // The request reached the app (or not): either way the server must not call it its own failure.
    await new Promise((r) => setTimeout(r, 50))
    const health = await json(await fetch(`${s.url}/health`))
    expect(health.status).toBe('ok')
    expect(health.checks.inference).toEqual({ status: 'ok' })
  })

  it('a body cut short (Content-Length promised, connection closed) and an abandoned chunked upload are 4xx', async () => {
    await rawExchange(port, [head('POST', '/v1/predict', { 'Content-Type': 'image/jpeg', 'Content-Length': jpeg.length }), jpeg.subarray(0, 1000)], { closeAfterSend: true, timeoutMs: 2_000 })
    await rawExchange(port, [head('POST', infer, { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked' }), '10\r\n{"inputs": [{"na\r\n'], { closeAfterSend: true, timeoutMs: 2_000 })
    await new Promise((r) => setTimeout(r, 100))
    const m = await metrics()
    expect(count(m, /^xray_http_requests_total\{.*status="5\d\d"/)).toBe(0)
    expect(count(m, /^xray_prediction_errors_total\{code="INFERENCE_FAILED"\}/)).toBe(0)
    const health = await json(await fetch(`${s.url}/health`))
    expect(health.status).toBe('ok')
  })

  it('a refusal sent before the body has arrived says Connection: close, so a keep-alive client does not reuse the socket', async () => {
    // A body declared larger than limits.max_body_bytes (32 MiB) is refused before it is read.
    const answer = await rawExchange(port, [head('POST', '/v1/predict', { 'Content-Type': 'image/jpeg', 'Content-Length': 64 << 20 }), jpeg.subarray(0, 1000)], { timeoutMs: 5_000 })
    expect(answer.status).toBe(413)
    expect(answer.text).toMatch(/\r\nconnection: close\r\n/i)
    expect(answer.end).not.toBe('timeout')
    // A complete request keeps its connection open for the next one.
    const ok = await rawExchange(port, [head('GET', '/health', {})], { timeoutMs: 1_000 })
    expect([ok.status, /connection: close/i.test(ok.text)]).toEqual([200, false])
  })

  it('after all of it, the metrics hold no 5xx, and the failures are counted as 4xx', async () => {
    const m = await metrics()
    expect(count(m, /^xray_http_requests_total\{.*status="5\d\d"/)).toBe(0)
    expect(count(m, /^xray_http_requests_total\{.*status="4\d\d"/)).toBeGreaterThanOrEqual(4)
    expect(count(m, /^xray_prediction_errors_total\{code="INFERENCE_FAILED"\}/)).toBe(0)
    expect(errors).toEqual([])
  })
})
