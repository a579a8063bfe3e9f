import { readFile, writeFile, copyFile } from 'node:fs/promises'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { defaultModelManifest } from '../../src/config/paths.ts'
import { readFixture, tempDir } from '../helpers/fixtures.ts'
import { postImage, start, json } from '../helpers/server.ts'

const xray = readFixture('xray-original/person100_bacteria_475.jpeg')

/** A copy of the shipped model whose manifest is changed by `edit`. */
async function modelCopy(edit: (m: Record<string, unknown>) => void) {
  const dir = tempDir('health')
  const src = path.dirname(defaultModelManifest())
  const m = JSON.parse(await readFile(defaultModelManifest(), 'utf8'))
  await copyFile(path.join(src, m.file), path.join(dir, m.file))
  await copyFile(path.join(src, m.warmup.file), path.join(dir, path.basename(m.warmup.file)))
  m.warmup.file = path.basename(m.warmup.file)
  edit(m)
  await writeFile(path.join(dir, 'model.json'), JSON.stringify(m))
  return path.join(dir, 'model.json')
}

describe('/health and readiness', () => {
  it('is down (503) before the warm-up and ok (200) after it passes', async () => {
    const s = await start({}, { load: false })
    try {
      const before = await fetch(`${s.url}/health`)
      expect(before.status).toBe(503)
      const b = await json(before)
      expect(b.status).toBe('down')
      expect(b.checks.model.status).toBe('loading')
      expect((await fetch(`${s.url}/v2/health/ready`)).status).toBe(503)
      expect((await fetch(`${s.url}/v2/health/live`)).status).toBe(200)
      const early = await postImage(s.url, xray)
      expect(early.status).toBe(503)
      expect((await json(early)).error.code).toBe('MODEL_NOT_READY')

      await s.load()
      const after = await fetch(`${s.url}/health`)
      expect(after.status).toBe(200)
      const a = await json(after)
      expect(a.status).toBe('ok')
      expect(a.model.name).toBe('pneumonia-efficientnet_b0')
      expect(a.device.kind).toBe('cpu')
      expect(a.checks.warmup).toMatchObject({ passed: true, expected: 0.876714 })
      expect(Math.abs(a.checks.warmup.score - 0.876714)).toBeLessThan(1e-4)
      expect(a.version).toMatch(/^\d+\.\d+\.\d+/)
      expect((await fetch(`${s.url}/v2/health/ready`)).status).toBe(200)
    } finally {
      await s.close()
    }
  })

  it('is degraded (200) when DEVICE=auto had a GPU but fell back to the CPU', async () => {
    const s = await start()
    try {
      await s.loaded
      const pipeline = s.ctx.host.predictor!.pipeline as { fallback?: string }
      pipeline.fallback = 'a GPU adapter was found but the WebGPU engine failed to start: test'
      const res = await fetch(`${s.url}/health`)
      expect(res.status).toBe(200)
      const body = await json(res)
      expect(body.status).toBe('degraded')
      expect(body.checks.device).toEqual({ status: 'cpu-fallback', reason: pipeline.fallback })
    } finally {
      await s.close()
    }
  })

  it('a model that fails to load leaves the server up but down, naming the error', async () => {
    const s = await start({ model: { path: '/nonexistent/model.json' } })
    try {
      await s.loaded
      const res = await fetch(`${s.url}/health`)
      expect(res.status).toBe(503)
      const body = await json(res)
      expect(body.status).toBe('down')
      expect(body.checks.model).toMatchObject({ status: 'failed', error: { code: 'MODEL_NOT_FOUND' } })
      const p = await postImage(s.url, xray)
      expect(p.status).toBe(503)
      expect((await json(p)).error.message).toContain('failed to load')
    } finally {
      await s.close()
    }
  })

  it('a model with a corrupted file fails its checksum and is never served', async () => {
    const manifest = await modelCopy((m) => (m.sha256 = '0'.repeat(64)))
    const s = await start({ model: { path: manifest } })
    try {
      await s.loaded
      const body = await json(await fetch(`${s.url}/health`))
      expect(body.checks.model.error.code).toBe('MODEL_CHECKSUM_MISMATCH')
    } finally {
      await s.close()
    }
  })

  it('a model that gives the wrong answer on the known image is not ready', async () => {
    const manifest = await modelCopy((m) => ((m.warmup as { score: number }).score = 0.1))
    const s = await start({ model: { path: manifest } })
    try {
      await s.loaded
      const res = await fetch(`${s.url}/health`)
      expect(res.status).toBe(503)
      const body = await json(res)
      expect(body.checks.model.error.code).toBe('MODEL_INVALID')
      expect(body.checks.model.error.message).toMatch(/warm-up answer 0\.876\d+ differs from the expected 0\.1/)
    } finally {
      await s.close()
    }
  })
})
