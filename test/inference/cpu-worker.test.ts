import { copyFileSync, renameSync } from 'node:fs'
import path from 'node:path'
import type { Worker } from 'node:worker_threads'
import { describe, expect, it } from 'vitest'
import { decodeImage } from '../../src/imaging/decode.ts'
import { CpuEngine } from '../../src/inference/cpu-engine.ts'
import { loadModel } from '../../src/models/manifest.ts'
import { params224, readFixture, tempDir } from '../helpers/fixtures.ts'

/** The engine's worker client, as the engine holds it (private fields). */
type Client = { model?: Uint8Array; running?: Worker }

const killWorker = async (engine: CpuEngine): Promise<{ client: Client; worker: Worker }> => {
  const client = (engine as unknown as { runners: Client[] }).runners[0]!
  const worker = client.running!
  const exited = new Promise((r) => worker.once('exit', r))
  await worker.terminate()
  await exited
  return { client, worker }
}

describe('the CPU engine model worker', () => {
  it('leaves the model file to its worker once started, and replaces a worker that died by reading the file again', async () => {
    const engine = await CpuEngine.create(await loadModel(), { ...params224, method: 'area' })
    try {
      const image = await decodeImage(readFixture('xray-original/person100_bacteria_475.jpeg'), undefined, { minSide: 224 })
      const before = await engine.inferItems([image])
      expect((engine as unknown as { runners: Client[] }).runners[0]!.model).toBeUndefined() // no 15 MB copy held on this thread
      const { client, worker } = await killWorker(engine)
      const after = await engine.inferItems([image])
      expect(client.running).toBeDefined()
      expect(client.running).not.toBe(worker)
      expect(Array.from(after.output.logits)).toEqual(Array.from(before.output.logits))
    } finally {
      await engine.close()
    }
  })

  it('fails requests with INFERENCE_FAILED while the model file is gone, and runs again once it is back', async () => {
    const dir = tempDir('cpu-worker-')
    const shipped = await loadModel()
    const manifest = path.join(dir, 'model.json')
    copyFileSync(shipped.manifestPath, manifest)
    const onnx = path.join(dir, shipped.manifest.file)
    copyFileSync(path.join(path.dirname(shipped.manifestPath), shipped.manifest.file), onnx)
    const engine = await CpuEngine.create(await loadModel(manifest), { ...params224, method: 'area' })
    try {
      const image = await decodeImage(readFixture('xray-original/IM-0001-0001.jpeg'), undefined, { minSide: 224 })
      const before = await engine.inferItems([image])
      renameSync(onnx, `${onnx}.away`)
      await killWorker(engine)
      await expect(engine.inferItems([image])).rejects.toMatchObject({ code: 'INFERENCE_FAILED', message: expect.stringContaining('cannot be restarted') })
      renameSync(`${onnx}.away`, onnx)
      const after = await engine.inferItems([image])
      expect(Array.from(after.output.logits)).toEqual(Array.from(before.output.logits))
    } finally {
      await engine.close()
    }
  })
})
