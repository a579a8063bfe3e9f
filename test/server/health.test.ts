import { readFile, writeFile, copyFile } from 'node:fs/promises'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { shippedModelManifest } from '../../src/models/shipped.ts'
import { readFixture, tempDir } from '../helpers/fixtures.ts'
import { testAdapter } from '../helpers/gpu.ts'
import { postImage, startApp, json } from '../helpers/server.ts'

const xray = readFixture('xray-original/person100_bacteria_475.jpeg')
const adapter = await testAdapter()

/** A copy of the shipped model whose manifest is changed by `edit`. */
async function modelCopy(edit: (m: Record<string, unknown>) => void) {
  const dir = tempDir('health')
  const src = path.dirname(shippedModelManifest())
  const m = JSON.parse(await readFile(shippedModelManifest(), 'utf8'))
  await copyFile(path.join(src, m.file), path.join(dir, m.file))
  await copyFile(path.join(src, m.warmup.file), path.join(dir, path.basename(m.warmup.file)))
  m.warmup.file = path.basename(m.warmup.file)
  edit(m)
  await writeFile(path.join(dir, 'model.json'), JSON.stringify(m))
  return path.join(dir, 'model.json')
}

describe('/health and readiness', () => {
  it('is down (503) before the warm-up and ok (200) after it passes', async () => {
    const s = startApp({}, { load: false })
    try {
      const before = await s.fetch(`${s.url}/health`)
      expect(before.status).toBe(503)
      const b = await json(before)
      expect(b.status).toBe('down')
      expect(b.checks.model.status).toBe('loading')
      expect((await s.fetch(`${s.url}/v2/health/ready`)).status).toBe(503)
      expect((await s.fetch(`${s.url}/v2/health/live`)).status).toBe(200)
      const early = await postImage(s, xray)
      expect(early.status).toBe(503)
      expect((await json(early)).error.code).toBe('MODEL_NOT_READY')

      await s.load()
      const after = await s.fetch(`${s.url}/health`)
      expect(after.status).toBe(200)
      const a = await json(after)
      expect(a.status).toBe('ok')
      expect(a.model.name).toBe('pneumonia-efficientnet_b0')
      expect(a.device.kind).toBe('cpu')
      expect(a.checks.warmup).toMatchObject({ passed: true, expected: 0.876714 })
      expect(Math.abs(a.checks.warmup.score - 0.876714)).toBeLessThan(1e-4)
      expect(a.version).toMatch(/^\d+\.\d+\.\d+/)
      expect((await s.fetch(`${s.url}/v2/health/ready`)).status).toBe(200)
    } finally {
      await s.close()
    }
  })

  it.skipIf(!adapter)('is degraded (200) when DEVICE=auto found a GPU whose engine failed to start, and serves on the CPU', async () => {
    // The adapter is real (lavapipe, taken by DEVICE=auto with gpu.allow_software); its engine fails to start.
    const startGpu = () => Promise.reject(new Error('onnxruntime-web could not create a session'))
    const s = startApp({ model: { device: 'auto' }, gpu: { allowSoftware: true } }, { service: { startGpu } })
    try {
      await s.loaded
      const res = await s.fetch(`${s.url}/health`)
      expect(res.status).toBe(200)
      const body = await json(res)
      expect(body.status).toBe('degraded')
      expect(body.device.kind).toBe('cpu')
      expect(body.checks.device).toEqual({ status: 'cpu-fallback', reason: 'a GPU adapter was found but the WebGPU engine failed to start: onnxruntime-web could not create a session' })
      expect((await postImage(s, xray)).status).toBe(200)
    } finally {
      await s.close()
    }
  })

  it('is ok on the CPU with DEVICE=auto when there is no hardware GPU', async () => {
    const s = startApp({ model: { device: 'auto' } })
    try {
      await s.loaded
      const body = await json(await s.fetch(`${s.url}/health`))
      expect(body).toMatchObject({ status: 'ok', device: { kind: 'cpu' }, checks: { device: { status: 'ok' } } })
    } finally {
      await s.close()
    }
  })

  it('a model that fails to load leaves the server up but down, naming the error', async () => {
    const s = startApp({ model: { path: '/nonexistent/model.json' } })
    try {
      await s.loaded
      const res = await s.fetch(`${s.url}/health`)
      expect(res.status).toBe(503)
      const body = await json(res)
      expect(body.status).toBe('down')
      expect(body.checks.model).toMatchObject({ status: 'failed', error: { code: 'MODEL_NOT_FOUND' } })
      const p = await postImage(s, xray)
      expect(p.status).toBe(503)
      expect((await json(p)).error.message).toContain('failed to load')
    } finally {
      await s.close()
    }
  })

  it('a model with a corrupted file fails its checksum and is never served', async () => {
    const manifest = await modelCopy((m) => (m.sha256 = '0'.repeat(64)))
    const s = startApp({ model: { path: manifest } })
    try {
      await s.loaded
      const body = await json(await s.fetch(`${s.url}/health`))
      expect(body.checks.model.error.code).toBe('MODEL_CHECKSUM_MISMATCH')
    } finally {
      await s.close()
    }
  })

  it('a model that gives the wrong answer on the known image is not ready', async () => {
    const manifest = await modelCopy((m) => ((m.warmup as { score: number }).score = 0.1))
    const s = startApp({ model: { path: manifest } })
    try {
      await s.loaded
      const res = await s.fetch(`${s.url}/health`)
      expect(res.status).toBe(503)
      const body = await json(res)
      expect(body.checks.model.error.code).toBe('MODEL_INVALID')
      expect(body.checks.model.error.message).toMatch(/warm-up answer 0\.876\d+ differs from the expected 0\.1/)
    } finally {
      await s.close()
    }
  })
})
