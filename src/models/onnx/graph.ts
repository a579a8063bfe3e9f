/** An ONNX file's graph, decoded far enough to check its interface and recognise its architecture. */
import { XrayError } from '../../errors/index.ts'
import { AttributeType, ModelProto } from './schema.ts'

export interface ValueInfo {
  name: string
  /** TensorProto.DataType (1 = float32); 0 when not a tensor. */
  elemType: number
  /** Numbers for fixed sizes, names for symbolic ones (`batch`), `?` when unnamed. */
  dims: (number | string)[]
}

export interface GraphNode {
  opType: string
  inputs: string[]
  outputs: string[]
  attributes: Record<string, number | number[] | string | undefined>
}

export interface Initializer {
  dims: number[]
  dataType: number
  /** The tensor's raw bytes, a view into the file's bytes (absent when stored as typed fields). */
  raw?: Uint8Array
}

export interface OnnxGraph {
  irVersion: number
  opset: number
  producer: string
  inputs: ValueInfo[]
  outputs: ValueInfo[]
  nodes: GraphNode[]
  initializers: Map<string, Initializer>
}

/* eslint-disable @typescript-eslint/no-explicit-any -- protobufjs messages are untyped */
// Decoded messages answer every field (absent ones with their default): ask what was present.
const has = (m: object, field: string) => Object.prototype.hasOwnProperty.call(m, field)

const valueInfo = (v: any): ValueInfo => ({
  name: v.name ?? '',
  elemType: v.type?.tensorType?.elemType ?? 0,
  dims: (v.type?.tensorType?.shape?.dim ?? []).map((d: any) => (has(d, 'dimValue') ? Number(d.dimValue) : d.dimParam || '?')),
})

const attribute = (a: any): number | number[] | string | undefined => {
  switch (a.type) {
    case AttributeType.INT:
      return Number(a.i)
    case AttributeType.FLOAT:
      return a.f
    case AttributeType.INTS:
      return a.ints.map(Number)
    case AttributeType.FLOATS:
      return [...a.floats]
    case AttributeType.STRING:
      return Buffer.from(a.s).toString('utf8')
    default:
      return undefined
  }
}

/** Decodes `bytes` as an ONNX model; anything else is refused as MODEL_NOT_ONNX. */
export function readOnnx(bytes: Uint8Array, file: string): OnnxGraph {
  let m: any
  try {
    m = ModelProto.decode(bytes)
  } catch (cause) {
    throw new XrayError('MODEL_NOT_ONNX', `${file} is not an ONNX model (it does not decode as an ONNX ModelProto: ${(cause as Error).message})`, { cause })
  }
  const g = m.graph
  if (!g || !g.node?.length || g.node.some((n: any) => !n.opType) || !m.opsetImport?.length || !(Number(m.irVersion) >= 3))
    throw new XrayError('MODEL_NOT_ONNX', `${file} is not an ONNX model (no graph of operators, IR version or opset in it)`)
  const initializers = new Map<string, Initializer>()
  for (const t of g.initializer ?? []) initializers.set(t.name, { dims: (t.dims ?? []).map(Number), dataType: t.dataType ?? 0, raw: t.rawData?.length ? t.rawData : undefined })
  const opset = m.opsetImport.find((o: any) => !o.domain || o.domain === 'ai.onnx')
  return {
    irVersion: Number(m.irVersion),
    opset: opset ? Number(opset.version) : 0,
    producer: [m.producerName, m.producerVersion].filter(Boolean).join(' '),
    // Older exporters also list initializers as graph inputs: those are weights, not inputs.
    inputs: (g.input ?? []).filter((v: any) => !initializers.has(v.name)).map(valueInfo),
    outputs: (g.output ?? []).map(valueInfo),
    nodes: g.node.map((n: any) => ({
      opType: n.opType,
      inputs: n.input ?? [],
      outputs: n.output ?? [],
      attributes: Object.fromEntries((n.attribute ?? []).map((a: any) => [a.name, attribute(a)])),
    })),
    initializers,
  }
}
