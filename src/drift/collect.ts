/**
 * Observations of a folder of images taken through the prediction service, as production's
 * audit records are: the service's prediction listener builds each audit record (toRecord) and
 * the drift features are read from it.
 */
import { readFile, readdir } from 'node:fs/promises'
import path from 'node:path'
import { toRecord } from '../audit/record.ts'
import type { PredictionService } from '../inference/service.ts'
import { fromRecord, type Observation } from './features.ts'

const IMAGE = /\.(jpe?g|png|dcm)$/i

/** Image files under `dir` (recursively), sorted. */
export async function imageFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true })
  return entries.filter((e) => e.isFile() && IMAGE.test(e.name)).map((e) => path.join(e.parentPath, e.name)).sort()
}

/** Runs every file through `service` (`concurrency` at a time, so batches form); one observation per image. */
export async function observeFiles(service: PredictionService, files: readonly string[], opts: { concurrency?: number; onProgress?: (done: number) => void } = {}): Promise<Observation[]> {
  const input = { width: service.params.outWidth, height: service.params.outHeight }
  const byId = new Map<string, Observation>()
  const detach = service.onPrediction((e) => {
    const o = fromRecord(toRecord(e, 'profile', input))
    if (o) byId.set(e.prediction.id, o)
  })
  let next = 0
  let done = 0
  const worker = async () => {
    while (next < files.length) {
      const i = next++
      await service.predict(new Uint8Array(await readFile(files[i]!)), { source: 'eval', id: `f${i}`, noCache: true })
      opts.onProgress?.(++done)
    }
  }
  try {
    await Promise.all(Array.from({ length: opts.concurrency ?? 16 }, worker))
  } finally {
    detach()
  }
  return files.map((_, i) => byId.get(`f${i}`)!).filter(Boolean)
}
