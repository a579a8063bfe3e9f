import { describe, expect, it } from 'vitest'
import { readFixture } from '../helpers/fixtures.ts'
import { parsePrometheus, postImage, startApp } from '../helpers/server.ts'

describe('/metrics', () => {
  it('is Prometheus text with request, latency, batch, cache, label, model and process metrics', async () => {
    const s = startApp()
    try {
      await s.loaded
      const xray = readFixture('xray-original/person100_bacteria_475.jpeg')
      await postImage(s, xray)
      await postImage(s, xray) // cache hit
      await postImage(s, new Uint8Array(0)) // 400
      const res = await s.fetch(`${s.url}/metrics`)
      expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/)
      const m = parsePrometheus(await res.text())
      expect(m.get('xray_http_requests_total{route="/v1/predict",method="POST",status="200"}')).toBe(2)
      expect(m.get('xray_http_requests_total{route="/v1/predict",method="POST",status="400"}')).toBe(1)
      expect(m.get('xray_cache_hits_total')).toBe(1)
      expect(m.get('xray_cache_misses_total')).toBe(2)
      expect(m.get('xray_predictions_total{label="PNEUMONIA"}')).toBe(2)
      expect(m.get('xray_prediction_errors_total{code="EMPTY_INPUT"}')).toBe(1)
      expect(m.has('xray_request_duration_seconds_bucket{le="0.001",route="/v1/predict"}')).toBe(true) // buckets from 1 ms
      expect(m.get('xray_request_duration_seconds_bucket{le="+Inf",route="/v1/predict"}')).toBe(3)
      expect(m.get('xray_request_duration_seconds_count{route="/v1/predict"}')).toBe(3)
      for (const h of ['queue', 'decode', 'preprocess', 'inference']) expect(m.get(`xray_${h}_duration_seconds_count`), h).toBeGreaterThan(0)
      expect(m.get('xray_model_ready')).toBe(1)
      expect([...m.keys()].some((k) => k.startsWith('xray_model_info{name="pneumonia-efficientnet_b0",version="1"'))).toBe(true)
      expect(m.get('xray_gpu_memory_bytes')).toBe(0) // CPU engine
      expect(m.get('xray_http_requests_in_flight')).toBe(1) // this scrape
      expect(m.has('xray_process_cpu_seconds_total')).toBe(true)
    } finally {
      await s.close()
    }
  })

  it('METRICS_ENABLED=false removes the endpoint', async () => {
    const s = startApp({ metrics: { enabled: false } })
    try {
      expect((await s.fetch(`${s.url}/metrics`)).status).toBe(404)
    } finally {
      await s.close()
    }
  })
})
