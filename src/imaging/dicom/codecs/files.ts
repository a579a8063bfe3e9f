/**
 * Where the codec worker and the codecs it loads are: node_modules (and this folder) in a
 * checkout, the executable's extracted files (build.config.ts, group `dicom-codecs`) in the
 * single executable. Nothing is fetched.
 */
import { createRequire } from 'node:module'
import { fileURLToPath } from 'node:url'
import { embeddedFile, isSingleExecutable } from '../../../runtime/embedded.ts'

export const DICOM_CODECS_GROUP = 'dicom-codecs'

export type EmscriptenCodec = 'jpeg' | 'jpeg2000' | 'jpegls'

/** The three Emscripten decoders: package, the decode-only glue and wasm it ships, and the embind class. */
export const emscriptenCodecs: Record<EmscriptenCodec, { package: string; glue: string; wasm: string; decoder: string }> = {
  jpeg: { package: '@cornerstonejs/codec-libjpeg-turbo-8bit', glue: 'libjpegturbowasm_decode.js', wasm: 'libjpegturbowasm_decode.wasm', decoder: 'JPEGDecoder' },
  jpeg2000: { package: '@cornerstonejs/codec-openjpeg', glue: 'openjpegwasm_decode.js', wasm: 'openjpegwasm_decode.wasm', decoder: 'J2KDecoder' },
  jpegls: { package: '@cornerstonejs/codec-charls', glue: 'charlswasm_decode.js', wasm: 'charlswasm_decode.wasm', decoder: 'JpegLSDecoder' },
}
const LOSSLESS = { package: 'jpeg-lossless-decoder-js', file: 'lossless.cjs' }
const WORKER = 'worker.mjs'

export interface CodecFiles {
  worker: string
  /** Passed to the worker as workerData. */
  data: { emscripten: Record<EmscriptenCodec, { glue: string; wasm: string; decoder: string }>; lossless: string }
}

export function codecFiles(): CodecFiles {
  const sea = isSingleExecutable()
  const require = sea ? undefined : createRequire(import.meta.url)
  const at = (name: string, fromPackage: () => string) => (sea ? embeddedFile(DICOM_CODECS_GROUP, name) : fromPackage())
  const emscripten = Object.fromEntries(
    Object.entries(emscriptenCodecs).map(([k, c]) => [
      k,
      { decoder: c.decoder, glue: at(c.glue, () => require!.resolve(`${c.package}/decodewasmjs`)), wasm: at(c.wasm, () => require!.resolve(`${c.package}/decodewasm`)) },
    ]),
  ) as CodecFiles['data']['emscripten']
  return {
    worker: at(WORKER, () => fileURLToPath(new URL(`./${WORKER}`, import.meta.url))),
    data: { emscripten, lossless: at(LOSSLESS.file, () => require!.resolve(LOSSLESS.package)) },
  }
}
