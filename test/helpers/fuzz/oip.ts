/**
 * Open Inference Protocol infer bodies, right and wrong: shapes (rank, negative, fractional, huge
 * N), datatypes, non-finite and out-of-range FP32 values, nested and deeply nested data, lengths
 * off by one, malformed outputs, non-object and broken JSON, BYTES that are not base64 images.
 */
import type { Rng } from './rng.ts'

export const OIP_MUTATIONS = ['valid-bytes', 'valid-fp32', 'shape', 'datatype', 'non-finite', 'nested', 'deep', 'size', 'outputs', 'body', 'bytes'] as const
export type OipMutation = (typeof OIP_MUTATIONS)[number]

const N = 3 * 224 * 224

/** A flat FP32 tensor of `n` images as JSON text, values in the preprocessed range. */
function tensorText(r: Rng, n: number, inject?: string): string {
  const parts = new Array<string>(n * N)
  for (let i = 0; i < parts.length; i++) parts[i] = i % 997 === 0 ? (r.next() * 4 - 2).toFixed(3) : '0'
  if (inject) parts[r.int(parts.length)] = inject
  return parts.join(',')
}

const input = (shape: string, datatype: string, data: string) => `{"name":"input","shape":${shape},"datatype":${datatype},"data":[${data}]}`
const body = (inputs: string, extra = '') => `{"inputs":[${inputs}]${extra}}`

/** One infer body as text (JSON or not), for the images given as base64. */
export function oipCase(r: Rng, images: string[], kind: OipMutation): string {
  const b64 = () => JSON.stringify(r.pick(images))
  switch (kind) {
    case 'valid-bytes': {
      const n = 1 + r.int(3)
      return body(input(`[${n}]`, '"BYTES"', Array.from({ length: n }, b64).join(',')), r.next() < 0.3 ? ',"outputs":[{"name":"probabilities"},{"name":"cam"}]' : '')
    }
    case 'valid-fp32':
      return body(input('[1,3,224,224]', '"FP32"', tensorText(r, 1)))
    case 'shape':
      return body(input(r.pick(['[]', '[1]', '[1,3,224]', '[1,3,224,224,1]', '[-1,3,224,224]', '[1.5,3,224,224]', '[1,1,224,224]', '[100000000,3,224,224]', '["1"]', 'null', '{}', '[0,3,224,224]', '[2,3,224,224]']), '"FP32"', tensorText(r, 1)))
    case 'datatype':
      return body(input('[1,3,224,224]', r.pick(['"FP16"', '"INT8"', '"BOOL"', '"fp32"', 'null', '1', '"BYTES"', '""', '["FP32"]']), tensorText(r, 1)))
    case 'non-finite':
      return body(input('[1,3,224,224]', '"FP32"', tensorText(r, 1, r.pick(['1e999', '-1e999', '1e39', '-3.5e38', 'NaN', 'Infinity', 'null', '"1"', 'true', '1e-999', '[]', '{}']))))
    case 'nested': {
      // [N][3][224][224] as nested arrays, sometimes ragged.
      const row = `[${'0,'.repeat(223)}0]`
      const plane = `[${Array(224).fill(row).join(',')}]`
      const planes = Array(3).fill(plane)
      if (r.next() < 0.5) planes[r.int(3)] = `[${Array(223).fill(row).join(',')}]`
      return body(input('[1,3,224,224]', '"FP32"', `[${planes.join(',')}]`))
    }
    case 'deep': {
      const d = 1 + r.int(20000)
      return r.next() < 0.5 ? `${'['.repeat(d)}${']'.repeat(d)}` : body(input('[1,3,224,224]', '"FP32"', `${'['.repeat(d)}0${']'.repeat(d)}`))
    }
    case 'size':
      return body(input('[1,3,224,224]', '"FP32"', r.next() < 0.5 ? tensorText(r, 1).slice(2) : `${tensorText(r, 1)},0`))
    case 'outputs':
      return body(input('[1]', '"BYTES"', b64()), `,"outputs":${r.pick(['{}', '[1]', '[{"name":1}]', '[{"name":"heatmap","parameters":{"width":"x"}}]', '[{"name":"heatmap","parameters":{"width":-5}}]', '[{"name":"heatmap","parameters":{"opacity":7}}]', '[{"name":"nothing"}]', '"probabilities"'])}`)
    case 'body':
      return r.pick(['', 'null', '[]', '1', '"x"', '{', '{"inputs":', '{"inputs":{}}', '{"inputs":[]}', '{"inputs":[null]}', '\ufeff{"inputs":[]}', '{"inputs":[{"data":{}}]}', `{"inputs":[{"shape":[1],"datatype":"BYTES","data":[${b64()}]}],"id":5}`])
    case 'bytes':
      return body(input('[1]', '"BYTES"', r.pick(['"!!!notbase64"', '""', '1', 'null', '{"b64":5}', '{"b64":"AAAA"}', `"${Buffer.from(Uint8Array.from({ length: r.int(3000) }, () => r.int(256))).toString('base64')}"`, '"/9j/4AAQ"', '"iVBORw0KGgo="'])))
  }
}
