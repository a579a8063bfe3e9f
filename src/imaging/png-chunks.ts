/**
 * Walks a PNG's chunk list without decoding it: 'truncated' when the data stops inside a chunk or
 * before IEND, 'corrupt' when a chunk header is not a chunk header, 'complete' otherwise.
 */
export function pngChunkState(b: Uint8Array): 'complete' | 'truncated' | 'corrupt' {
  const view = new DataView(b.buffer, b.byteOffset, b.byteLength)
  let pos = 8
  while (pos + 8 <= b.length) {
    const length = view.getUint32(pos)
    const type = String.fromCharCode(...b.subarray(pos + 4, pos + 8))
    if (!/^[A-Za-z]{4}$/.test(type) || length > 0x7fffffff) return 'corrupt'
    if (pos + 12 + length > b.length) return 'truncated'
    if (type === 'IEND') return 'complete'
    pos += 12 + length
  }
  return 'truncated'
}
