import { existsSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { root } from './root.ts'
import { decodeImage, type GrayImage } from '../src/imaging/decode.ts'
import { loadModel, type LoadedModel } from '../src/models/manifest.ts'
import type { PreprocessParams, ResizeMethod } from '../src/preprocess/params.ts'

/** What every section gets: the X-ray, the shipped model, the repetition counts. */
export interface Context {
  quick: boolean
  imagePath: string
  bytes: Uint8Array
  /** The X-ray decoded by the product's decoder (8-bit gray). */
  image: GrayImage
  model: LoadedModel
  params: (method: ResizeMethod) => PreprocessParams
  /** Repetitions: `full` normally, `quick` under --quick. */
  reps: (full: number, quick: number) => number
  log: (msg: string) => void
}

const XRAY = 'IM-0001-0001.jpeg'

/** The 1857x1317 NORMAL X-ray from the shared data set, else its copy among the test fixtures. */
export function defaultImagePath(): string {
  const shared = path.resolve(root, '..', 'shared', 'data', 'kermany', 'test-original', 'NORMAL', XRAY)
  return existsSync(shared) ? shared : path.join(root, 'test', 'fixtures', 'xray-original', XRAY)
}

export async function createContext(opts: { quick: boolean; image?: string; log: (m: string) => void }): Promise<Context> {
  const imagePath = path.resolve(opts.image ?? defaultImagePath())
  const bytes = new Uint8Array(readFileSync(imagePath))
  const image = await decodeImage(bytes)
  const model = await loadModel(process.env.MODEL_PATH) // set by scripts/gpu-check.sh, whose bundles live apart from models/
  const m = model.manifest
  return {
    quick: opts.quick,
    imagePath,
    bytes,
    image,
    model,
    params: (method) => ({ outWidth: model.size.width, outHeight: model.size.height, method, mean: m.preprocessing.mean, std: m.preprocessing.std }),
    reps: (full, quick) => (opts.quick ? quick : full),
    log: opts.log,
  }
}

/**
 * Whether onnxruntime-node loads here. The GPU host check (scripts/gpu-check.sh) may leave it
 * out to fit the transfer limit; the sections that need it then say so instead of failing.
 */
export async function ortNodeMissing(): Promise<string | undefined> {
  try {
    await import('onnxruntime-node')
    return undefined
  } catch (e) {
    return `onnxruntime-node cannot load here (${(e as Error).message.split('\n')[0]})`
  }
}

/** A batch of `n` copies of the same image (same pixels, separate objects). */
export const copies = <T>(x: T, n: number): T[] => Array.from({ length: n }, () => x)
