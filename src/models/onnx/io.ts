/** The interface every served model has: one float32 image batch in, logits and CAMs out. */
import { XrayError } from '../../errors/index.ts'
import { DataType } from './schema.ts'
import type { OnnxGraph, ValueInfo } from './graph.ts'

export interface ModelIo {
  input: { name: string; height: number | string; width: number | string }
  /** The CAM's height and width when fixed in the graph. */
  cam: { height: number | string; width: number | string }
}

const show = (v: ValueInfo) => `${v.name} ${v.elemType === DataType.FLOAT ? 'float32' : `type ${v.elemType}`} [${v.dims.join(',')}]`

export const EXPECTED_IO = 'one input float32 [N,3,H,W]; outputs logits float32 [N,2] and cam float32 [N,2,h,w]'

export function checkIo(g: OnnxGraph, file: string): ModelIo {
  const problems: string[] = []
  const [input] = g.inputs
  if (g.inputs.length !== 1) problems.push(`${g.inputs.length} inputs (${g.inputs.map(show).join('; ')})`)
  else if (input.elemType !== DataType.FLOAT || input.dims.length !== 4 || input.dims[1] !== 3) problems.push(`input ${show(input)}`)
  const logits = g.outputs.find((o) => o.name === 'logits')
  const cam = g.outputs.find((o) => o.name === 'cam')
  if (!logits) problems.push('no output named logits')
  else if (logits.elemType !== DataType.FLOAT || logits.dims.length !== 2 || logits.dims[1] !== 2) problems.push(`output ${show(logits)}`)
  if (!cam) problems.push('no output named cam')
  else if (cam.elemType !== DataType.FLOAT || cam.dims.length !== 4 || cam.dims[1] !== 2) problems.push(`output ${show(cam)}`)
  const extra = g.outputs.filter((o) => o.name !== 'logits' && o.name !== 'cam')
  if (extra.length) problems.push(`other outputs: ${extra.map(show).join('; ')}`)
  if (problems.length)
    throw new XrayError('MODEL_WRONG_IO', `${file} does not have the inputs and outputs the server needs (${EXPECTED_IO}): ${problems.join('; ')}`, {
      details: { inputs: g.inputs, outputs: g.outputs },
    })
  return { input: { name: input.name, height: input.dims[2], width: input.dims[3] }, cam: { height: cam!.dims[2], width: cam!.dims[3] } }
}
