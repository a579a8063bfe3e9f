/** The entropy-coded data of a JPEG scan, bit by bit (ITU T.81 F.2.2), for src/imaging/jpeg-verify.ts. */
import { ImageFault } from '../../src/imaging/fault.ts'

/**
 * Reads bits MSB first through a 32-bit window, removing 0xFF00 stuffing; a marker (or the end of
 * the file) ends the data, and wanting a bit beyond it is a fault: the data ended early.
 */
export class BitReader {
  /** Bits not yet used are the low `count` bits of `acc` (read by HuffmanTable.decode too). */
  acc = 0
  count = 0
  /** A marker or the file's end was reached: no more bytes will come. */
  private ended = false
  constructor(
    private readonly b: Uint8Array,
    private pos: number,
  ) {}

  /** Loads bytes until 25 or more bits wait (or the data ends). */
  fill(): void {
    while (this.count <= 24 && !this.ended) {
      const byte = this.b[this.pos]
      if (byte === undefined || (byte === 0xff && this.b[this.pos + 1] !== 0)) {
        this.ended = true
        break
      }
      this.pos += byte === 0xff ? 2 : 1
      this.acc = ((this.acc << 8) | byte) >>> 0
      this.count += 8
    }
  }

  /** The next `n` (<= 16) bits without using them, zero-padded past the end of the data. */
  peek(n: number): number {
    if (this.count < n) this.fill()
    const v = this.count >= n ? this.acc >>> (this.count - n) : this.acc << (n - this.count)
    return v & ((1 << n) - 1)
  }

  consume(n: number): void {
    if (n > this.count) throw new ImageFault(true, 'the image data ends early')
    this.count -= n
  }

  skip(n: number): void {
    if (this.count < n) this.fill()
    this.consume(n)
  }

  bits(n: number): number {
    const v = this.peek(n)
    this.consume(n)
    return v
  }

  /** A value of `s` bits in JPEG's sign convention (T.81 F.2.2.1 EXTEND). */
  signed(s: number): number {
    if (s === 0) return 0
    const v = this.bits(s)
    return v < 1 << (s - 1) ? v - (1 << s) + 1 : v
  }

  /** Whole bytes left before the marker that ends the data; throws when the file ends instead. */
  private leftover(): number {
    this.fill()
    let extra = this.count >> 3
    while (!this.ended) {
      this.count = 0
      this.fill()
      extra += this.count >> 3
    }
    if (this.pos >= this.b.length) throw new ImageFault(true, 'the file ends inside the image data')
    return extra
  }

  /** Drops the byte's padding bits and expects restart marker `marker` next. */
  restart(marker: number): void {
    if (this.leftover() > 0) throw new ImageFault(false, 'image data is left over before a restart marker')
    while (this.b[this.pos] === 0xff && this.b[this.pos + 1] === 0xff) this.pos++
    if (this.b[this.pos + 1] !== marker) throw new ImageFault(false, 'a restart marker is missing or out of order')
    this.pos += 2
    this.acc = this.count = 0
    this.ended = false
  }

  /** After the last block: only padding may remain before the next marker. Returns the marker's offset. */
  finish(blocks: string): number {
    const extra = this.leftover()
    if (extra > 0) throw new ImageFault(false, `${extra} bytes of image data are left after the last of the ${blocks} blocks the header's size needs`)
    return this.pos
  }
}

const LOOK = 9
const LOOK_MASK = (1 << LOOK) - 1

/** A Huffman table from its DHT counts and symbols (canonical codes, T.81 Annex C). */
export class HuffmanTable {
  private readonly maxcode = new Int32Array(18).fill(-1)
  private readonly valptr = new Int32Array(17)
  private readonly mincode = new Int32Array(17)
  private readonly lookup = new Uint16Array(1 << LOOK)
  constructor(
    counts: Uint8Array,
    private readonly symbols: Uint8Array,
  ) {
    let code = 0
    let k = 0
    for (let l = 1; l <= 16; l++) {
      const n = counts[l - 1]!
      this.valptr[l] = k
      this.mincode[l] = code
      code += n
      k += n
      if (n) this.maxcode[l] = code - 1
      if (code > 1 << l) throw new ImageFault(false, 'a Huffman table has more codes than fit')
      code <<= 1
    }
    // Codes of up to LOOK bits in one look: entry (length << 8) | symbol, 0 for longer codes.
    for (let l = 1, c = 0, j = 0; l <= LOOK; l++, c <<= 1)
      for (let n = 0; n < counts[l - 1]!; n++, c++, j++)
        this.lookup.fill((l << 8) | symbols[j]!, c << (LOOK - l), (c + 1) << (LOOK - l))
  }

  decode(r: BitReader): number {
    if (r.count < LOOK) r.fill()
    const c = r.count
    const e = this.lookup[(c >= LOOK ? r.acc >>> (c - LOOK) : r.acc << (LOOK - c)) & LOOK_MASK]!
    if (e) {
      if (e >> 8 > c) throw new ImageFault(true, 'the image data ends early')
      r.count = c - (e >> 8)
      return e & 255
    }
    let code = r.bits(LOOK)
    let l = LOOK
    while (code > this.maxcode[l]!) {
      if (++l > 16) throw new ImageFault(false, 'the image data holds a code its Huffman table does not define')
      code = (code << 1) | r.bits(1)
    }
    return this.symbols[this.valptr[l]! + code - this.mincode[l]!]!
  }
}
