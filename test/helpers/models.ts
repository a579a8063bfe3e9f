/**
 * Model files for the registry tests, made at test time (nothing large is committed):
 * - `derivedModel`: the shipped EfficientNet-B0 with its classifier bias shifted, byte for byte
 *   the same file otherwise: a real, different, valid B0 whose P(pneumonia) moves by a known
 *   amount (logit shift);
 * - `tinyModel`: a small valid ONNX graph with the server's input and outputs but no EfficientNet
 *   in it (the wrong architecture), or with other outputs (the wrong interface);
 * - `notOnnxFile`, `torchCheckpoint`: files that are not ONNX at all.
 */
import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { readOnnx } from '../../src/models/onnx/graph.ts'
import { DataType, ModelProto } from '../../src/models/onnx/schema.ts'

export const shippedModel = fileURLToPath(new URL('../../models/pneumonia-efficientnet_b0-v1.onnx', import.meta.url))
export const shippedManifest = fileURLToPath(new URL('../../models/pneumonia-efficientnet_b0-v1.json', import.meta.url))
/** P(pneumonia) of the warm-up image under the shipped model: its golden output (PyTorch). */
export const shippedWarmupScore = (JSON.parse(fs.readFileSync(shippedManifest, 'utf8')) as { warmup: { score: number } }).warmup.score

const CLASSIFIER_BIAS = 'm.classifier.bias'

/**
 * Writes the shipped model with `shift` added to its classifier bias ([NORMAL, PNEUMONIA]).
 * Only those 8 bytes change, so the result is the same valid graph with other answers.
 */
export function derivedModel(file: string, shift: [number, number] = [0, -2.5]): string {
  const bytes = new Uint8Array(fs.readFileSync(shippedModel))
  const bias = readOnnx(bytes, shippedModel).initializers.get(CLASSIFIER_BIAS)
  if (!bias?.raw || bias.raw.buffer !== bytes.buffer || bias.raw.length !== 8) throw new Error(`${CLASSIFIER_BIAS} is not a 2-float raw tensor in the shipped model`)
  const view = new DataView(bytes.buffer, bias.raw.byteOffset, 8)
  for (let i = 0; i < 2; i++) view.setFloat32(i * 4, view.getFloat32(i * 4, true) + shift[i], true)
  fs.writeFileSync(file, bytes)
  return file
}

/** P(pneumonia) after adding `shift` to the logits, from P before: sigmoid(logit(p) + shift1 - shift0). */
export const shiftedScore = (p: number, shift: [number, number]) => 1 / (1 + Math.exp(-(Math.log(p / (1 - p)) + shift[1] - shift[0])))

const floats = (name: string, dims: number[], values: number[]) => ({ name, dims, dataType: DataType.FLOAT, rawData: Buffer.from(new Float32Array(values).buffer) })
const tensorType = (name: string, dims: (number | string)[]) => ({
  name,
  type: { tensorType: { elemType: DataType.FLOAT, shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) } } },
})
const attr = (name: string, ints: number[]) => ({ name, type: 7, ints })
const int = (name: string, i: number) => ({ name, type: 2, i })
const seq = (n: number, scale: number) => Array.from({ length: n }, (_, i) => ((i % 7) - 3) * scale)

/**
 * A small valid ONNX model on the server's input [N,3,224,224]: pooled colour means through a
 * linear layer. `io: 'right'` gives it outputs logits [N,2] and cam [N,2,7,7] (so only the
 * architecture is wrong); `'wrong'` gives it a single output probs [N,3].
 */
export function tinyModel(file: string, io: 'right' | 'wrong' = 'right'): string {
  const classes = io === 'right' ? 2 : 3
  const nodes: { opType: string; input: string[]; output: string[]; attribute: object[] }[] = [
    { opType: 'GlobalAveragePool', input: ['input'], output: ['g'], attribute: [] },
    { opType: 'Flatten', input: ['g'], output: ['f'], attribute: [int('axis', 1)] },
    { opType: 'Gemm', input: ['f', 'W', 'b'], output: [io === 'right' ? 'logits' : 'probs'], attribute: [int('transB', 1)] },
  ]
  const initializer = [floats('W', [classes, 3], seq(classes * 3, 0.5)), floats('b', [classes], seq(classes, 0.1))]
  const output = [tensorType(io === 'right' ? 'logits' : 'probs', ['N', classes])]
  if (io === 'right') {
    nodes.push({ opType: 'AveragePool', input: ['input'], output: ['p'], attribute: [attr('kernel_shape', [32, 32]), attr('strides', [32, 32])] })
    nodes.push({ opType: 'Conv', input: ['p', 'Wc'], output: ['cam'], attribute: [] })
    initializer.push(floats('Wc', [2, 3, 1, 1], seq(6, 0.25)))
    output.push(tensorType('cam', ['N', 2, 7, 7]))
  }
  const model = {
    irVersion: 8,
    producerName: 'xrayops tests',
    opsetImport: [{ domain: '', version: 17 }],
    graph: { name: 'tiny', node: nodes, initializer, input: [tensorType('input', ['N', 3, 224, 224])], output },
  }
  fs.writeFileSync(file, ModelProto.encode(ModelProto.fromObject(model)).finish())
  return file
}

export const notOnnxFile = (file: string): string => {
  fs.writeFileSync(file, 'model weights will be here once training finishes\n')
  return file
}

/** What torch.save writes since PyTorch 1.6: a zip archive (here a minimal one, just its header). */
export const torchCheckpoint = (file: string): string => {
  fs.writeFileSync(file, Buffer.concat([Buffer.from([0x50, 0x4b, 0x03, 0x04]), Buffer.from(`${path.basename(file, path.extname(file))}/data.pkl`)]))
  return file
}
