/**
 * Recognises an EfficientNet from its ONNX graph. Each variant has its own number of MBConv
 * blocks (each with one squeeze-and-excitation pooling), stem width and head width (Tan & Le
 * 2019: depth and width multipliers over B0's 16 blocks, 32-channel stem, 1280-channel head).
 */
import type { OnnxGraph } from './graph.ts'

export interface ArchitectureSignature {
  /** Squeeze-and-excitation poolings (ReduceMean / GlobalAveragePool), the head's pooling excluded. */
  blocks: number
  /** Output channels of the first convolution on the input. */
  stemChannels: number | null
  /** Features entering the classifier. */
  headChannels: number | null
  /** Input height and width when fixed in the graph. */
  inputSize: [number, number] | null
  convolutions: number
  /** Weights, in number of values. */
  parameters: number
}

export interface KnownArchitecture {
  blocks: number
  stemChannels: number
  headChannels: number
  /** The input size it was designed for. */
  resolution: number
}

export const efficientNets: Record<string, KnownArchitecture> = {
  efficientnet_b0: { blocks: 16, stemChannels: 32, headChannels: 1280, resolution: 224 },
  efficientnet_b1: { blocks: 23, stemChannels: 32, headChannels: 1280, resolution: 240 },
  efficientnet_b2: { blocks: 23, stemChannels: 32, headChannels: 1408, resolution: 260 },
  efficientnet_b3: { blocks: 26, stemChannels: 40, headChannels: 1536, resolution: 300 },
  efficientnet_b4: { blocks: 32, stemChannels: 48, headChannels: 1792, resolution: 380 },
  efficientnet_b5: { blocks: 39, stemChannels: 48, headChannels: 2048, resolution: 456 },
  efficientnet_b6: { blocks: 45, stemChannels: 56, headChannels: 2304, resolution: 528 },
  efficientnet_b7: { blocks: 55, stemChannels: 64, headChannels: 2560, resolution: 600 },
}

const weightOf = (g: OnnxGraph, inputs: string[]) => inputs.map((i) => g.initializers.get(i)).find((t) => t && t.dims.length >= 2)

/** The classifier's input width: the Gemm/MatMul that produces `logits` (or feeds its bias Add). */
function headChannels(g: OnnxGraph): number | null {
  const byOutput = new Map(g.nodes.flatMap((n) => n.outputs.map((o) => [o, n] as const)))
  let node = byOutput.get('logits')
  if (node?.opType === 'Add') node = node.inputs.map((i) => byOutput.get(i)).find((n) => n?.opType === 'MatMul')
  if (!node || (node.opType !== 'Gemm' && node.opType !== 'MatMul')) return null
  const w = weightOf(g, node.inputs)
  if (!w || w.dims.length !== 2) return null
  const transposed = node.opType === 'Gemm' && node.attributes.transB === 1
  return transposed ? w.dims[1] : w.dims[0]
}

export function signatureOf(g: OnnxGraph): ArchitectureSignature {
  const input = g.inputs[0]?.name
  const stem = g.nodes.find((n) => n.opType === 'Conv' && n.inputs[0] === input)
  const [, , h, w] = g.inputs[0]?.dims ?? []
  let parameters = 0
  for (const t of g.initializers.values()) parameters += t.dims.reduce((a, b) => a * b, 1)
  const pools = g.nodes.filter((n) => n.opType === 'ReduceMean' || n.opType === 'GlobalAveragePool').length
  return {
    blocks: Math.max(0, pools - 1),
    stemChannels: stem ? (weightOf(g, stem.inputs)?.dims[0] ?? null) : null,
    headChannels: headChannels(g),
    inputSize: typeof h === 'number' && typeof w === 'number' ? [h, w] : null,
    convolutions: g.nodes.filter((n) => n.opType === 'Conv').length,
    parameters,
  }
}

/** The known architecture with this signature, or null. */
export function identify(sig: ArchitectureSignature): string | null {
  for (const [name, a] of Object.entries(efficientNets))
    if (a.blocks === sig.blocks && a.stemChannels === sig.stemChannels && a.headChannels === sig.headChannels) return name
  return null
}

export const describeSignature = (s: ArchitectureSignature) =>
  `${s.blocks} squeeze-excite blocks, stem ${s.stemChannels ?? '?'} channels, head ${s.headChannels ?? '?'} features, input ${s.inputSize ? s.inputSize.join('x') : 'of any size'}, ${(s.parameters / 1e6).toFixed(2)}M weights`

export const describeKnown = (name: string) => {
  const a = efficientNets[name]
  return `${name}: ${a.blocks} blocks, stem ${a.stemChannels}, head ${a.headChannels}, designed for ${a.resolution}x${a.resolution}`
}
