import { copyFile, readFile, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { shippedModelManifest } from '../../src/models/shipped.ts'
import { loadModel } from '../../src/models/manifest.ts'
import { tempDir } from '../helpers/fixtures.ts'

const tmpCopy = async () => {
  const dir = tempDir('model')
  const manifest = JSON.parse(await readFile(shippedModelManifest(), 'utf8'))
  await copyFile(path.join(path.dirname(shippedModelManifest()), manifest.file), path.join(dir, manifest.file))
  await writeFile(path.join(dir, 'model.json'), JSON.stringify(manifest))
  return { dir, manifest }
}

describe('loadModel', () => {
  it('loads the shipped model and checks its sha256', async () => {
    const m = await loadModel()
    expect(m.manifest.name).toBe('pneumonia-efficientnet_b0')
    expect(m.manifest.sha256).toBe('53c15d48fe3078bb22cdd2d7bfbc742f7222d864d5b1deeb034b891d9862595e')
    expect(m.bytes.length).toBe(16025842)
    expect(m.size).toEqual({ height: 224, width: 224 })
    expect(m.manifest.threshold).toBe(0.5)
    expect(m.manifest.labels).toEqual(['NORMAL', 'PNEUMONIA'])
  })

  it('accepts the .onnx path when the manifest sits beside it', async () => {
    const m = await loadModel(shippedModelManifest().replace(/\.json$/, '.onnx'))
    expect(m.manifest.version).toBe('1')
  })

  it('refuses a model whose bytes do not match the manifest', async () => {
    const { dir, manifest } = await tmpCopy()
    const file = path.join(dir, manifest.file)
    const bytes = await readFile(file)
    bytes[bytes.length - 100] ^= 0xff
    await writeFile(file, bytes)
    await expect(loadModel(path.join(dir, 'model.json'))).rejects.toMatchObject({ code: 'MODEL_CHECKSUM_MISMATCH', message: expect.stringContaining(manifest.sha256) })
  })

  it('names a missing model file, a missing manifest and an invalid manifest', async () => {
    const { dir, manifest } = await tmpCopy()
    await expect(loadModel(path.join(dir, 'nope.json'))).rejects.toMatchObject({ code: 'MODEL_NOT_FOUND' })
    await writeFile(path.join(dir, 'gone.json'), JSON.stringify({ ...manifest, file: 'gone.onnx' }))
    await expect(loadModel(path.join(dir, 'gone.json'))).rejects.toMatchObject({ code: 'MODEL_NOT_FOUND', message: expect.stringContaining('gone.onnx') })
    await writeFile(path.join(dir, 'bad.json'), '{ not json')
    await expect(loadModel(path.join(dir, 'bad.json'))).rejects.toMatchObject({ code: 'MODEL_INVALID' })
    await writeFile(path.join(dir, 'partial.json'), JSON.stringify({ name: 'x' }))
    await expect(loadModel(path.join(dir, 'partial.json'))).rejects.toMatchObject({ code: 'MODEL_INVALID', message: expect.stringContaining('sha256') })
  })
})
