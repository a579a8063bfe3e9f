import { createHash } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import path from 'node:path'
import { XrayError } from '../errors/index.ts'
import { shippedModelManifest } from './shipped.ts'

export interface ModelManifest {
  name: string
  version: string
  file: string
  sha256: string
  architecture: string
  input: { name: string; dtype: 'float32'; shape: [string, number, number, number] }
  outputs: { logits: { shape: unknown[] }; cam: { shape: unknown[] } }
  labels: [string, string]
  positiveLabel: string
  threshold: number
  preprocessing: { mean: [number, number, number]; std: [number, number, number]; scale: number }
  metrics: Record<string, unknown>
  /** A known image and its expected P(positive): the readiness check runs it at start. */
  warmup?: { file: string; label: string; score: number; tolerance: number }
  /** The training-distribution profile the drift check compares with (src/drift/profile.ts). */
  drift?: { file: string; sha256: string }
}

export interface LoadedModel {
  manifest: ModelManifest
  manifestPath: string
  bytes: Uint8Array
  /** Input height and width. */
  size: { height: number; width: number }
}

const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex')

const readOrThrow = async (file: string, what: string): Promise<Buffer> => {
  try {
    return await readFile(file)
  } catch (cause) {
    throw new XrayError('MODEL_NOT_FOUND', `${what} not found: ${file}`, { cause })
  }
}

const checkManifest = (m: Partial<ModelManifest>, file: string): ModelManifest => {
  const missing = ['name', 'version', 'file', 'sha256', 'input', 'labels', 'threshold', 'preprocessing']
    .filter((k) => m[k as keyof ModelManifest] === undefined)
  if (missing.length) throw new XrayError('MODEL_INVALID', `model manifest ${file} lacks ${missing.join(', ')}`)
  const shape = m.input!.shape
  if (!Array.isArray(shape) || shape.length !== 4 || shape[1] !== 3)
    throw new XrayError('MODEL_INVALID', `model manifest ${file}: input.shape must be [N,3,H,W]`)
  return m as ModelManifest
}

/** Reads and checks a manifest (`*.json`, or the one beside an `.onnx`; the shipped model's by default) without the model bytes. */
export async function readManifest(location = shippedModelManifest()): Promise<{ manifest: ModelManifest; manifestPath: string }> {
  const manifestPath = location.endsWith('.onnx') ? location.replace(/\.onnx$/, '.json') : location
  const raw = await readOrThrow(manifestPath, 'model manifest')
  let parsed: Partial<ModelManifest>
  try {
    parsed = JSON.parse(raw.toString('utf8'))
  } catch (cause) {
    throw new XrayError('MODEL_INVALID', `model manifest ${manifestPath} is not valid JSON`, { cause })
  }
  return { manifest: checkManifest(parsed, manifestPath), manifestPath }
}

/**
 * Loads a model from its manifest (`*.json`) or from an `.onnx` file with a manifest of the same
 * base name beside it, and refuses it unless the bytes match the manifest's sha256.
 */
export async function loadModel(location?: string): Promise<LoadedModel> {
  const { manifest, manifestPath } = await readManifest(location)
  const modelFile = path.resolve(path.dirname(manifestPath), manifest.file)
  const bytes = new Uint8Array(await readOrThrow(modelFile, 'model file'))
  const actual = sha256(bytes)
  if (actual !== manifest.sha256.toLowerCase())
    throw new XrayError('MODEL_CHECKSUM_MISMATCH', `model ${modelFile} has sha256 ${actual}, manifest says ${manifest.sha256}`, {
      details: { file: modelFile, expected: manifest.sha256, actual },
    })
  const [, , height, width] = manifest.input.shape
  return { manifest, manifestPath, bytes, size: { height, width } }
}
