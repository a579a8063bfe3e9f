/**
 * The three Emscripten decoders (libjpeg-turbo, OpenJPEG, CharLS), loaded on first use. Their
 * wasm comes from node_modules in a checkout and from the executable's embedded copies
 * (build.config.ts, group `dicom-codecs`) in the single executable; nothing is fetched. Each wasm
 * is compiled once; an instance that threw (a C++ exception or an abort leaves its memory in an
 * unknown state) is dropped and the next frame gets a fresh one.
 */
import fs from 'node:fs'
import { createRequire } from 'node:module'
import { embeddedFile, isSingleExecutable } from '../../../runtime/embedded.ts'

export const DICOM_CODECS_GROUP = 'dicom-codecs'

/** The part of the WebAssembly global used here (the project's TypeScript libs do not declare it). */
interface WasmApi {
  compile(bytes: Uint8Array): Promise<object>
  Instance: new (module: object, imports: object) => object
}
const wasmApi = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly

export interface FrameInfo {
  width: number
  height: number
  bitsPerSample: number
  componentCount: number
  isSigned: boolean
}

interface WasmDecoder {
  getEncodedBuffer(length: number): Uint8Array
  decode(): void
  getFrameInfo(): FrameInfo
  getDecodedBuffer(): Uint8Array
  delete(): void
}

interface CodecSpec {
  package: string
  wasm: string
  decoder: string
  factory: () => Promise<EmscriptenCodecFactory>
}

const def = <T>(m: { default?: T } | T): T => ((m as { default?: T }).default ?? m) as T

export const wasmCodecs = {
  jpeg: {
    package: '@cornerstonejs/codec-libjpeg-turbo-8bit',
    wasm: 'libjpegturbowasm_decode.wasm',
    decoder: 'JPEGDecoder',
    factory: async () => def(await import('@cornerstonejs/codec-libjpeg-turbo-8bit/decodewasmjs')),
  },
  jpeg2000: {
    package: '@cornerstonejs/codec-openjpeg',
    wasm: 'openjpegwasm_decode.wasm',
    decoder: 'J2KDecoder',
    factory: async () => def(await import('@cornerstonejs/codec-openjpeg/decodewasmjs')),
  },
  jpegls: {
    package: '@cornerstonejs/codec-charls',
    wasm: 'charlswasm_decode.wasm',
    decoder: 'JpegLSDecoder',
    factory: async () => def(await import('@cornerstonejs/codec-charls/decodewasmjs')),
  },
} satisfies Record<string, CodecSpec>

export type WasmCodecName = keyof typeof wasmCodecs

/** Where the .wasm file of a codec is on disk. */
export function wasmPath(name: WasmCodecName): string {
  const spec: CodecSpec = wasmCodecs[name]
  if (isSingleExecutable()) return embeddedFile(DICOM_CODECS_GROUP, spec.wasm)
  return createRequire(import.meta.url).resolve(`${spec.package}/decodewasm`)
}

const compiled = new Map<WasmCodecName, Promise<object>>()
const instances = new Map<WasmCodecName, Promise<Record<string, unknown>>>()

function instance(name: WasmCodecName): Promise<Record<string, unknown>> {
  let inst = instances.get(name)
  if (!inst) {
    const spec: CodecSpec = wasmCodecs[name]
    let mod = compiled.get(name)
    if (!mod) {
      mod = fs.promises.readFile(wasmPath(name)).then((bytes) => wasmApi.compile(bytes))
      compiled.set(name, mod)
      mod.catch(() => compiled.delete(name))
    }
    inst = Promise.all([spec.factory(), mod]).then(([factory, wasm]) =>
      factory({
        print: () => {},
        printErr: () => {},
        instantiateWasm(imports, receive) {
          receive(new wasmApi.Instance(wasm, imports))
          return {}
        },
      }),
    )
    instances.set(name, inst)
    inst.catch(() => instances.delete(name))
  }
  return inst
}

/**
 * Decodes one frame. Returns the decoder's frame info and a copy of its output (native-endian
 * samples, 1 or 2 bytes each). Throws whatever the codec threw; the instance is then replaced.
 */
export async function decodeWithWasm(name: WasmCodecName, frame: Uint8Array): Promise<{ info: FrameInfo; bytes: Uint8Array }> {
  const mod = await instance(name)
  const Decoder = mod[wasmCodecs[name].decoder] as new () => WasmDecoder
  const exitCode = process.exitCode
  let decoder: WasmDecoder | undefined
  try {
    decoder = new Decoder()
    decoder.getEncodedBuffer(frame.length).set(frame)
    decoder.decode()
    const info = decoder.getFrameInfo()
    const out = decoder.getDecodedBuffer()
    return { info: { ...info }, bytes: new Uint8Array(out.buffer.slice(out.byteOffset, out.byteOffset + out.byteLength)) }
  } catch (e) {
    instances.delete(name)
    decoder = undefined // its memory goes with the instance
    throw e
  } finally {
    decoder?.delete()
    // An Emscripten exit() sets process.exitCode; a failed frame must not change the process's status.
    process.exitCode = exitCode
  }
}
