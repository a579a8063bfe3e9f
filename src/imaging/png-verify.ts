/**
 * Checks that a PNG holds exactly the pixels its header claims, before libpng decodes it: every
 * chunk's CRC, an IEND, and the IDAT stream inflated (off the main thread, nothing kept) to
 * exactly the bytes IHDR's size, depth, colour type and interlacing need, with zlib's own
 * Adler-32 check. libpng stops reading once it has the rows it wants, so without this a header
 * claiming fewer rows than the data holds, or a stream that fails its checksum, would be decoded.
 */
import { createInflate, crc32 } from 'node:zlib'
import { ImageFault } from './fault.ts'

/** Samples per pixel of each PNG colour type, and the bit depths it allows. */
const COLOUR: Record<number, { channels: number; depths: number[] }> = {
  0: { channels: 1, depths: [1, 2, 4, 8, 16] },
  2: { channels: 3, depths: [8, 16] },
  3: { channels: 1, depths: [1, 2, 4, 8] },
  4: { channels: 2, depths: [8, 16] },
  6: { channels: 4, depths: [8, 16] },
}

/** Adam7: x start, y start, x step, y step of each pass. */
const ADAM7 = [[0, 0, 8, 8], [4, 0, 8, 8], [0, 4, 4, 8], [2, 0, 4, 4], [0, 2, 2, 4], [1, 0, 2, 2], [0, 1, 1, 2]] as const

/** Bytes of filtered scanlines (one filter byte per row) a w x h image of `bits` per pixel needs. */
export function pngDataBytes(w: number, h: number, bits: number, interlaced: boolean): number {
  const rows = (pw: number, ph: number) => (pw && ph ? ph * (1 + Math.ceil((pw * bits) / 8)) : 0)
  if (!interlaced) return rows(w, h)
  return ADAM7.reduce((sum, [xs, ys, dx, dy]) => sum + rows(Math.max(0, Math.ceil((w - xs) / dx)), Math.max(0, Math.ceil((h - ys) / dy))), 0)
}

/** Throws ImageFault when the PNG is cut short or its data does not match its header. */
export async function verifyPng(b: Uint8Array): Promise<void> {
  const view = new DataView(b.buffer, b.byteOffset, b.byteLength)
  const idat: Uint8Array[] = []
  let expected = -1
  for (let pos = 8; ; ) {
    if (pos + 12 > b.length) throw new ImageFault(true, 'the file ends before its IEND chunk')
    const length = view.getUint32(pos)
    const type = String.fromCharCode(...b.subarray(pos + 4, pos + 8))
    if (!/^[A-Za-z]{4}$/.test(type) || length > 0x7fffffff) throw new ImageFault(false, `bytes ${pos}.. are not a chunk header`)
    if (pos + 12 + length > b.length) throw new ImageFault(true, `the file ends inside its ${type} chunk`)
    if (crc32(b.subarray(pos + 4, pos + 8 + length)) !== view.getUint32(pos + 8 + length)) throw new ImageFault(false, `the ${type} chunk fails its CRC check`)
    const data = b.subarray(pos + 8, pos + 8 + length)
    if (pos === 8) expected = header(type, data)
    else if (type === 'IHDR') throw new ImageFault(false, 'the file has a second IHDR chunk')
    else if (type === 'IDAT') idat.push(data)
    else if (type === 'IEND') break
    pos += 12 + length
  }
  if (idat.length === 0) throw new ImageFault(true, 'the file has no image data (IDAT)')
  await inflatedBytes(idat, expected)
}

/** IHDR -> the bytes of filtered scanlines it promises. */
function header(type: string, d: Uint8Array): number {
  if (type !== 'IHDR' || d.length !== 13) throw new ImageFault(false, 'the first chunk is not a 13-byte IHDR')
  const v = new DataView(d.buffer, d.byteOffset, 13)
  const [w, h, depth, colour, compression, filter, interlace] = [v.getUint32(0), v.getUint32(4), d[8]!, d[9]!, d[10]!, d[11]!, d[12]!]
  const c = COLOUR[colour]
  if (!c || !c.depths.includes(depth) || compression !== 0 || filter !== 0 || interlace > 1 || w === 0 || h === 0)
    throw new ImageFault(false, `IHDR is not a valid PNG header (colour type ${colour}, depth ${depth})`)
  return pngDataBytes(w, h, c.channels * depth, interlace === 1)
}

/** Inflates the IDAT stream, counting bytes and keeping none; it must give exactly `expected`. */
function inflatedBytes(idat: Uint8Array[], expected: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const z = createInflate({ chunkSize: 64 * 1024 })
    let n = 0
    z.on('data', (chunk: Buffer) => {
      n += chunk.length
      if (n > expected) {
        z.destroy()
        reject(new ImageFault(false, `the image data holds more than the ${expected} bytes the header's size needs`))
      }
    })
    z.on('error', (e: NodeJS.ErrnoException) =>
      reject(new ImageFault(e.code === 'Z_BUF_ERROR', e.code === 'Z_BUF_ERROR' ? 'the compressed image data ends early' : `the compressed image data is corrupt (${e.message})`)),
    )
    z.on('end', () => (n < expected ? reject(new ImageFault(true, `the image data holds ${n} of the ${expected} bytes the header's size needs`)) : resolve()))
    for (const d of idat) z.write(d)
    z.end()
  })
}
