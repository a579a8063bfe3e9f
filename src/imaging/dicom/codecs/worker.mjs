// The DICOM codec worker: libjpeg-turbo, OpenJPEG and CharLS (Emscripten wasm) and
// jpeg-lossless-decoder-js, run off the main thread so that a slow or looping decode of a
// malformed frame can be stopped (the pool terminates the worker) and never blocks the server.
// Plain JavaScript, loaded as is from a checkout, under the test runner and from the single
// executable's extracted files; workerData gives the path of every codec file (files.ts).
import fs from 'node:fs'
import { createRequire } from 'node:module'
import { parentPort, workerData } from 'node:worker_threads'

const require = createRequire(import.meta.url)
/** @type {{ emscripten: Record<string, { glue: string, wasm: string, decoder: string }>, lossless: string }} */
const files = workerData
const compiled = new Map()
const instances = new Map()

function instance(name) {
  let inst = instances.get(name)
  if (!inst) {
    const spec = files.emscripten[name]
    if (!compiled.has(name)) compiled.set(name, WebAssembly.compile(fs.readFileSync(spec.wasm)))
    const factory = require(spec.glue)
    inst = compiled.get(name).then((wasm) =>
      factory({
        print: () => {},
        printErr: () => {},
        instantiateWasm(imports, receive) {
          receive(new WebAssembly.Instance(wasm, imports))
          return {}
        },
      }),
    )
    instances.set(name, inst)
  }
  return inst
}

async function decodeEmscripten(name, bytes) {
  const mod = await instance(name)
  const Decoder = mod[files.emscripten[name].decoder]
  let decoder
  try {
    decoder = new Decoder()
    decoder.getEncodedBuffer(bytes.length).set(bytes)
    decoder.decode()
    const info = { ...decoder.getFrameInfo() }
    const out = decoder.getDecodedBuffer()
    const copy = new Uint8Array(out.length)
    copy.set(out)
    decoder.delete()
    return { info, bytes: copy }
  } catch (e) {
    // A C++ exception or an abort leaves the instance's memory in an unknown state: use a fresh one next time.
    instances.delete(name)
    throw e
  }
}

function decodeLossless(bytes, numBytes) {
  const { Decoder } = require(files.lossless)
  const out = new Decoder().decode(bytes.buffer, bytes.byteOffset, bytes.byteLength, numBytes)
  const copy = new Uint8Array(out.buffer.slice(out.byteOffset, out.byteOffset + out.byteLength))
  return { info: { bitsPerSample: numBytes * 8 }, bytes: copy }
}

const describe = (e) => (e instanceof Error ? e.message : typeof e === 'string' ? e : 'decoder error')

parentPort.on('message', async ({ id, codec, bytes, numBytes }) => {
  const exitCode = process.exitCode
  try {
    const r = codec === 'lossless' ? decodeLossless(bytes, numBytes) : await decodeEmscripten(codec, bytes)
    parentPort.postMessage({ id, info: r.info, bytes: r.bytes }, [r.bytes.buffer])
  } catch (e) {
    parentPort.postMessage({ id, error: describe(e) })
  } finally {
    // An Emscripten exit() sets process.exitCode; a failed frame must not end the worker with it.
    process.exitCode = exitCode
  }
})
