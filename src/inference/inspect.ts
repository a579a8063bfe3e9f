/**
 * What registering a model checks by loading it: the file is ONNX (not a PyTorch checkpoint), it
 * has the server's inputs and outputs, its graph is the expected EfficientNet, onnxruntime (CPU)
 * loads it, and it answers the warm-up image. The warm-up answer is measured here, on the same
 * CPU engine and preprocessing the server uses, and becomes the registered version's readiness
 * check.
 */
import { XrayError } from '../errors/index.ts'
import { decodeImage, defaultDecodeLimits } from '../imaging/decode.ts'
import type { LoadedModel, ModelManifest } from '../models/manifest.ts'
import { describeKnown, describeSignature, efficientNets, identify, signatureOf, type ArchitectureSignature } from '../models/onnx/architecture.ts'
import { refuseNonOnnx } from '../models/onnx/format.ts'
import { readOnnx } from '../models/onnx/graph.ts'
import { checkIo } from '../models/onnx/io.ts'
import { CpuEngine } from './cpu-engine.ts'
import { DEFAULT_RESIZE } from './service.ts'
import { classify } from './results.ts'

export interface InspectOptions {
  /** Shown in messages. */
  file: string
  /** The architecture the model must have, and why it is expected (shown when it differs). */
  expected?: { architecture: string; why: string }
  /** Labels, threshold and preprocessing the model is served with. */
  template: Pick<ModelManifest, 'labels' | 'positiveLabel' | 'threshold' | 'preprocessing'>
  /** The known image the warm-up runs. */
  warmupImage: Uint8Array
}

export interface Inspection {
  architecture: string
  signature: ArchitectureSignature
  opset: number
  producer: string
  input: { name: string; height: number; width: number }
  cam: { height: number; width: number }
  /** P(positive) of the warm-up image. */
  warmupScore: number
}

function architectureOf(sig: ArchitectureSignature, opts: InspectOptions): string {
  const found = identify(sig)
  if (!found)
    throw new XrayError('MODEL_WRONG_ARCHITECTURE', `${opts.file} is not an EfficientNet this server knows (${describeSignature(sig)}); known: ${Object.keys(efficientNets).map(describeKnown).join('; ')}`, {
      details: { signature: sig },
    })
  if (opts.expected && found !== opts.expected.architecture)
    throw new XrayError('MODEL_WRONG_ARCHITECTURE', `${opts.file} is ${found} (${describeSignature(sig)}), but ${opts.expected.architecture} is expected (${opts.expected.why})`, {
      details: { signature: sig, found, expected: opts.expected.architecture },
    })
  return found
}

const fixed = (d: number | string, fallback: number) => (typeof d === 'number' ? d : fallback)

export async function inspectModel(bytes: Uint8Array, opts: InspectOptions): Promise<Inspection> {
  refuseNonOnnx(opts.file, bytes.subarray(0, 8))
  const graph = readOnnx(bytes, opts.file)
  const io = checkIo(graph, opts.file)
  const signature = signatureOf(graph)
  const architecture = architectureOf(signature, opts)
  // A graph with a symbolic input size is served at its architecture's own resolution.
  const size = efficientNets[architecture].resolution
  const input = { name: io.input.name, height: fixed(io.input.height, size), width: fixed(io.input.width, size) }
  const manifest = {
    ...opts.template,
    name: opts.file,
    version: '0',
    file: opts.file,
    sha256: '',
    architecture,
    input: { name: input.name, dtype: 'float32', shape: ['N', 3, input.height, input.width] },
    outputs: { logits: { shape: ['N', 2] }, cam: { shape: ['N', 2, io.cam.height, io.cam.width] } },
    metrics: {},
  } satisfies ModelManifest
  const model: LoadedModel = { manifest, manifestPath: opts.file, bytes, size: { height: input.height, width: input.width } }
  const p = opts.template.preprocessing
  const engine = await CpuEngine.create(model, { outWidth: input.width, outHeight: input.height, method: DEFAULT_RESIZE, mean: p.mean, std: p.std })
  try {
    const image = await decodeImage(opts.warmupImage, defaultDecodeLimits)
    const run = await engine.infer([image]).catch((cause: unknown) => {
      throw new XrayError('MODEL_INVALID', `${opts.file} fails on the warm-up image: ${(cause as Error).message}`, { cause })
    })
    const { logits, cam } = run.output
    if (logits.length !== 2 || cam.length % 2 !== 0 || ![...logits].every(Number.isFinite))
      throw new XrayError('MODEL_WRONG_IO', `${opts.file} answered the warm-up image with ${logits.length} logits (${[...logits].join(', ')}) and ${cam.length} CAM values; expected 2 finite logits`)
    const camSide = Math.sqrt(cam.length / 2)
    return {
      architecture,
      signature,
      opset: graph.opset,
      producer: graph.producer,
      input,
      cam: { height: fixed(io.cam.height, camSide), width: fixed(io.cam.width, camSide) },
      warmupScore: classify(run.output, 0, manifest).score,
    }
  } finally {
    await engine.close()
  }
}
