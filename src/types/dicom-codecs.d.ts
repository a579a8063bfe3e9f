/** The Emscripten decoders of @cornerstonejs/codec-* (decode-only builds) and jpeg-lossless-decoder-js, which ship no types. */
interface EmscriptenCodecOptions {
  wasmBinary?: ArrayBuffer | Uint8Array
  instantiateWasm?: (imports: object, receive: (instance: object) => void) => object
  print?: (s: string) => void
  printErr?: (s: string) => void
}
type EmscriptenCodecFactory = (opts?: EmscriptenCodecOptions) => Promise<Record<string, unknown>>

declare module '@cornerstonejs/codec-libjpeg-turbo-8bit/decodewasmjs' {
  const factory: EmscriptenCodecFactory
  export default factory
}
declare module '@cornerstonejs/codec-openjpeg/decodewasmjs' {
  const factory: EmscriptenCodecFactory
  export default factory
}
declare module '@cornerstonejs/codec-charls/decodewasmjs' {
  const factory: EmscriptenCodecFactory
  export default factory
}
declare module 'jpeg-lossless-decoder-js' {
  export class Decoder {
    decode(buffer: ArrayBuffer, offset: number, length: number, numBytes?: number): Uint8Array | Uint16Array
  }
}
