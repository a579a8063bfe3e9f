/**
 * The seeded fuzz corpus of the model server: one seed and a count name every case. Categories:
 * PNG/JPEG mutations (raw, multipart batch and OIP BYTES), multipart framing, OIP JSON, raw HTTP
 * framing on a socket, and DICOM (test/helpers/dicom-fuzz.ts's generator).
 */
import fs from 'node:fs'
import sharp, { type Sharp } from 'sharp'
import { fuzzCases as dicomCases } from '../dicom-fuzz.ts'
import { fixture } from '../fixtures.ts'
import { IMAGE_MUTATIONS, mutateImage, type SeedImage } from './images.ts'
import { MULTIPART_MUTATIONS, multipartCase } from './multipart.ts'
import { OIP_MUTATIONS, oipCase } from './oip.ts'
import { RAW_MUTATIONS, rawCase } from './raw.ts'
import { rng } from './rng.ts'

export const CATEGORIES = ['image', 'multipart', 'oip', 'raw', 'dicom'] as const
export type Category = (typeof CATEGORIES)[number]
/** Share of each category in a corpus. */
const WEIGHTS: Record<Category, number> = { image: 0.35, multipart: 0.1, oip: 0.25, raw: 0.15, dicom: 0.15 }

export type FuzzRequest = { via: 'fetch'; path: string; type: string; body: Uint8Array | string } | { via: 'raw'; path: string; parts: (string | Uint8Array)[] }

export interface FuzzCase {
  index: number
  category: Category
  kind: string
  /** The real file the case was made from, when there is one. */
  seed?: string
  request: FuzzRequest
}

/** The real X-rays mutations start from: JPEGs of the repository, and PNGs of several layouts made from them. */
export async function seedImages(): Promise<SeedImage[]> {
  const jpegs = ['xray-224/NORMAL/IM-0005-0001.jpeg', 'xray-224/NORMAL/IM-0069-0001.jpeg', 'xray-224/PNEUMONIA/person100_bacteria_478.jpeg', 'xray-original/person100_bacteria_475.jpeg'].filter((f) => fs.existsSync(fixture(f)))
  const out: SeedImage[] = jpegs.map((f) => ({ name: f, format: 'jpeg' as const, bytes: new Uint8Array(fs.readFileSync(fixture(f))) }))
  const src = out[0]!.bytes
  const pngs: [string, Sharp][] = [
    ['gray8.png', sharp(src).toColourspace('b-w').png()],
    ['rgb.png', sharp(src).png()],
    ['gray16.png', sharp(src).toColourspace('grey16').png()],
    ['interlaced.png', sharp(src).png({ progressive: true })],
  ]
  for (const [name, p] of pngs) out.push({ name, format: 'png', bytes: new Uint8Array(await p.toBuffer()) })
  return out
}

export function* fuzzCorpus(seed: number, count: number, images: SeedImage[], model: string): Generator<FuzzCase> {
  const r = rng(seed)
  const dicom = dicomCases(seed, count)
  const b64 = images.map((s) => Buffer.from(s.bytes).toString('base64'))
  const infer = () => (r.next() < 0.95 ? `/v2/models/${model}/infer` : r.pick([`/v2/models/${model}/versions/0.0.0/infer`, '/v2/models/other/infer', `/v2/models/${model}%00/infer`]))
  const predict = () => (r.next() < 0.5 ? '/v1/predict' : '/v1/predict/batch')
  for (let index = 0; index < count; index++) {
    let x = r.next()
    const category = CATEGORIES.find((c) => (x -= WEIGHTS[c]) < 0) ?? 'dicom'
    if (category === 'image') {
      const s = r.pick(images)
      const kind = r.pick(IMAGE_MUTATIONS)
      const bytes = mutateImage(r, s, kind)
      const route = r.next()
      const request: FuzzRequest =
        route < 0.6
          ? { via: 'fetch', path: '/v1/predict', type: r.pick([`image/${s.format}`, 'application/octet-stream', 'image/png']), body: bytes }
          : route < 0.8
            ? { via: 'fetch', path: infer(), type: 'application/json', body: `{"inputs":[{"name":"image","shape":[1],"datatype":"BYTES","data":["${Buffer.from(bytes).toString('base64')}"]}]}` }
            : { via: 'fetch', path: '/v1/predict/batch', ...multipartCase(r, [bytes, r.pick(images).bytes], 'valid', true) }
      yield { index, category, kind, seed: s.name, request }
    } else if (category === 'multipart') {
      const kind = r.pick(MULTIPART_MUTATIONS)
      const path = predict()
      yield { index, category, kind, request: { via: 'fetch', path, ...multipartCase(r, [r.pick(images).bytes, r.pick(images).bytes], kind, path.endsWith('batch')) } }
    } else if (category === 'oip') {
      const kind = r.pick(OIP_MUTATIONS)
      yield { index, category, kind, request: { via: 'fetch', path: infer(), type: r.next() < 0.97 ? 'application/json' : 'text/plain', body: oipCase(r, b64, kind) } }
    } else if (category === 'raw') {
      const kind = r.pick(RAW_MUTATIONS)
      const s = r.pick(images)
      const which = r.int(3)
      const path = which === 0 ? '/v1/predict' : which === 1 ? infer() : '/v1/predict/batch'
      const { type, body } =
        which === 0
          ? { type: 'image/jpeg', body: s.bytes }
          : which === 1
            ? { type: 'application/json', body: new TextEncoder().encode(oipCase(r, b64, 'valid-bytes')) }
            : multipartCase(r, [s.bytes], 'valid', true)
      yield { index, category, kind, seed: s.name, request: { via: 'raw', path, parts: rawCase(r, path, type, body, kind) } }
    } else {
      const c = dicom.next().value!
      const request: FuzzRequest =
        r.next() < 0.8 ? { via: 'fetch', path: '/v1/predict', type: 'application/dicom', body: c.bytes } : { via: 'fetch', path: '/v1/predict/batch', ...multipartCase(r, [c.bytes], 'valid', true) }
      yield { index, category, kind: c.kind, seed: c.seed, request }
    }
  }
}
