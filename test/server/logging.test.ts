import { readFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { readFixture, tempDir } from '../helpers/fixtures.ts'
import { json, postImage, start } from '../helpers/server.ts'

describe('request logs', () => {
  it('writes one JSON line per request (id, route, status, latency, label) to logging.file', async () => {
    const file = path.join(tempDir('log'), 'logs', 'model_server.log')
    const s = await start({ logging: { level: 'info', format: 'json', file } })
    let id = ''
    try {
      await s.loaded
      id = (await json(await postImage(s, readFixture('xray-original/person100_bacteria_475.jpeg')))).id
      await postImage(s, new Uint8Array(0))
    } finally {
      await s.close()
    }
    const lines = (await readFile(file, 'utf8')).trim().split('\n').map((l) => JSON.parse(l))
    const access = lines.filter((l) => l.tag === 'access')
    expect(access).toHaveLength(2)
    expect(access[0]).toMatchObject({ route: '/v1/predict', method: 'POST', status: 200, label: 'PNEUMONIA' })
    expect(access[0].id).toBe(id) // the response's id is the request id in the log
    expect(access[0].latency_ms).toBeGreaterThan(0)
    expect(access[1]).toMatchObject({ status: 400 })
    expect(lines.some((l) => l.tag === 'model' && /ready/.test(l.msg))).toBe(true)
  })

  it('refuses a log file it cannot open, naming logging.file, before listening', async () => {
    await expect(start({ logging: { file: os.tmpdir() } })).rejects.toMatchObject({ code: 'CONFIG_INVALID', message: expect.stringContaining('logging.file=') })
  })

  it('refuses a model whose architecture differs from model.architecture', async () => {
    const s = await start({ model: { architecture: 'resnet50' } })
    try {
      await s.loaded
      const h = await json(await fetch(`${s.url}/health`))
      expect(h.checks.model.error.message).toMatch(/model.architecture is resnet50 but the model .* is efficientnet_b0/)
    } finally {
      await s.close()
    }
  })
})
