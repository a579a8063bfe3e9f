import type { Worker } from 'node:worker_threads'
import { describe, expect, it } from 'vitest'
import { decodeImage } from '../../src/imaging/decode.ts'
import { CpuEngine } from '../../src/inference/cpu-engine.ts'
import { loadModel } from '../../src/models/manifest.ts'
import { params224, readFixture } from '../helpers/fixtures.ts'

/** The engine's worker client, as the engine holds it (private fields). */
type Client = { model?: Uint8Array; running?: Worker }

describe('the CPU engine model worker', () => {
  it('leaves the model file to its worker once started, and replaces a worker that died by reading the file again', async () => {
    const engine = await CpuEngine.create(await loadModel(), { ...params224, method: 'area' })
    try {
      const image = await decodeImage(readFixture('xray-original/person100_bacteria_475.jpeg'), undefined, { minSide: 224 })
      const before = await engine.inferItems([image])
      const client = (engine as unknown as { runners: Client[] }).runners[0]!
      expect(client.model).toBeUndefined() // no 15 MB copy held on this thread
      const worker = client.running!
      const exited = new Promise((r) => worker.once('exit', r))
      await worker.terminate()
      await exited
      const after = await engine.inferItems([image])
      expect(client.running).toBeDefined()
      expect(client.running).not.toBe(worker)
      expect(Array.from(after.output.logits)).toEqual(Array.from(before.output.logits))
    } finally {
      await engine.close()
    }
  })
})
