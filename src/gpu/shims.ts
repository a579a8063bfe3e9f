/**
 * dawn.node rejects views of a SharedArrayBuffer, which onnxruntime-web hands to
 * GPUQueue.writeBuffer / writeTexture (its wasm memory). Copy such views first, and drop trailing
 * `undefined` arguments, which dawn.node's overload resolution also rejects.
 */
type Args = unknown[]

const copyShared = (data: unknown, offset?: unknown, size?: unknown): { data: unknown; copied: boolean } => {
  if (data instanceof SharedArrayBuffer) {
    const o = (offset as number | undefined) ?? 0
    const n = (size as number | undefined) ?? data.byteLength - o
    return { data: new Uint8Array(data, o, n).slice(), copied: true }
  }
  if (ArrayBuffer.isView(data) && data.buffer instanceof SharedArrayBuffer) {
    const view = new Uint8Array(data.buffer, data.byteOffset, data.byteLength).slice()
    const Ctor = data.constructor as new (b: ArrayBuffer) => ArrayBufferView
    const bpe = (data as unknown as { BYTES_PER_ELEMENT?: number }).BYTES_PER_ELEMENT
    return { data: bpe ? new Ctor(view.buffer) : view, copied: false }
  }
  return { data, copied: false }
}

const trimUndefined = (args: Args) => {
  while (args.length > 0 && args[args.length - 1] === undefined) args.pop()
  return args
}

export function patchQueueForSharedMemory(GPUQueueCtor: { prototype: GPUQueue }): void {
  const proto = GPUQueueCtor.prototype as GPUQueue & { __xrayopsPatched?: boolean }
  if (proto.__xrayopsPatched) return
  const writeBuffer = proto.writeBuffer
  const writeTexture = proto.writeTexture
  proto.writeBuffer = function (this: GPUQueue, ...args: Args) {
    const { data, copied } = copyShared(args[2], args[3], args[4])
    args[2] = data
    if (copied) args.length = 3 // offset and size were applied by the copy
    return (writeBuffer as (...a: Args) => void).apply(this, trimUndefined(args))
  } as GPUQueue['writeBuffer']
  proto.writeTexture = function (this: GPUQueue, ...args: Args) {
    args[1] = copyShared(args[1]).data
    return (writeTexture as (...a: Args) => void).apply(this, trimUndefined(args))
  } as GPUQueue['writeTexture']
  proto.__xrayopsPatched = true
}
