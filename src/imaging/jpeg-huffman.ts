/** The entropy-coded data of a JPEG scan (ITU T.81 F.2.2) and its Huffman tables, for src/imaging/jpeg-verify.ts. */
import { ImageFault } from './fault.ts'
import { giveBytes, takeBytes } from './scratch.ts'

/**
 * One stretch of a scan's entropy-coded data (up to the next marker: a restart or the end),
 * with its 0xFF00 stuffing removed, so that the walk reads it at a bit position through 32-bit
 * windows. Bits past the data read as zeros; using them is a fault: the data ended early.
 */
export class ScanData {
  /** The data, then at least 8 zero bytes (a buffer from scratch.ts: `release` when done). */
  readonly d: Uint8Array
  readonly dv: DataView
  /** Bits of data, and the next bit to use. */
  nbits = 0
  bitpos = 0
  /** Where the data ends in the file: the marker after it, or the file's end. */
  private end = 0
  constructor(
    private readonly b: Uint8Array,
    start: number,
  ) {
    this.d = takeBytes(b.length - start + 8)
    this.dv = new DataView(this.d.buffer, this.d.byteOffset, this.d.byteLength)
    this.load(start)
  }

  /** Unstuffs the data from `from` to the first marker (0xFF not followed by 0) or the file's end. */
  private load(from: number): void {
    const { b, d } = this
    let o = 0
    for (let i = from; ; ) {
      const j = b.indexOf(0xff, i)
      const stop = j < 0 ? b.length : j
      d.set(b.subarray(i, stop), o)
      o += stop - i
      if (j >= 0 && b[j + 1] === 0) {
        d[o++] = 0xff
        i = j + 2
        continue
      }
      this.end = stop
      break
    }
    d.fill(0, o, o + 8)
    this.nbits = 8 * o
    this.bitpos = 0
  }

  /** Whole bytes left before the marker that ends the data; throws when the file ends instead. */
  private leftover(): number {
    if (this.end >= this.b.length) throw new ImageFault(true, 'the file ends inside the image data')
    return (this.nbits - this.bitpos) >> 3
  }

  /** Gives the buffer back for the next scan; nothing reads this afterwards. */
  release(): void {
    giveBytes(this.d)
  }

  /** Drops the byte's padding bits and expects restart marker `marker` next. */
  restart(marker: number): void {
    if (this.leftover() > 0) throw new ImageFault(false, 'image data is left over before a restart marker')
    let pos = this.end
    while (this.b[pos] === 0xff && this.b[pos + 1] === 0xff) pos++
    if (this.b[pos + 1] !== marker) throw new ImageFault(false, 'a restart marker is missing or out of order')
    this.load(pos + 2)
  }

  /** After the last block: only padding may remain before the next marker. Returns the marker's offset. */
  finish(blocks: string): number {
    const extra = this.leftover()
    if (extra > 0) throw new ImageFault(false, `${extra} bytes of image data are left after the last of the ${blocks} blocks the header's size needs`)
    return this.end
  }
}

/** Bits of the look-up: codes up to this long decode in one step (libjpeg-turbo uses 8 or 9). */
export const LOOK = 11
/** HuffmanTable.decodeLong's answers when no code can be read: the data ends first, or the bits are no code. */
export const ENDS = -1
export const NO_CODE = -2

/** A Huffman table from its DHT counts and symbols (canonical codes, T.81 Annex C). */
export class HuffmanTable {
  private readonly maxcode = new Int32Array(18).fill(-1)
  private readonly valptr = new Int32Array(17)
  private readonly mincode = new Int32Array(17)
  /**
   * Per value of the next LOOK bits, the code they start with when it is at most LOOK bits long:
   * symbol | length << 8 | (length + symbol's low 4 bits) << 16, the last being all the bits an AC
   * coefficient takes (code and value); 0 when the code is longer (see decodeLong).
   */
  readonly lookup = new Int32Array(1 << LOOK)
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
    for (let l = 1, c = 0, j = 0; l <= LOOK; l++, c <<= 1)
      for (let n = 0; n < counts[l - 1]!; n++, c++, j++) {
        const sym = symbols[j]!
        this.lookup.fill(sym | (l << 8) | ((l + (sym & 15)) << 16), c << (LOOK - l), (c + 1) << (LOOK - l))
      }
  }

  private dcTable?: Int32Array
  /**
   * For DC tables: per value of the next LOOK bits that hold a whole difference of at most 11
   * bits (code and value): its bits | difference << 16; 0 where they do not.
   */
  get differences(): Int32Array {
    if (this.dcTable) return this.dcTable
    const t = (this.dcTable = new Int32Array(1 << LOOK))
    for (let w = 0; w < 1 << LOOK; w++) {
      const e = this.lookup[w]!
      const len = (e >> 8) & 31
      const s = e & 255
      if (e === 0 || s > 11 || len + s > LOOK) continue
      const v = s === 0 ? 0 : (w >> (LOOK - len - s)) & ((1 << s) - 1)
      t[w] = (len + s) | ((s === 0 || v >= 1 << (s - 1) ? v : v - (1 << s) + 1) << 16)
    }
    return t
  }

  private pairTable?: Int32Array
  /**
   * For AC tables: per value of the next LOOK bits that hold a coefficient's code and value and
   * then the whole code of a second coefficient or end of block, both at once: size1 | run1 << 4 |
   * size2 << 8 | run2 << 12 | (bits of the first) << 16 | (bits of both, the second's value too)
   * << 20, size2 0 for the end of block; an end of block alone: size1 0, its bits << 20; 0 where
   * the bits hold none of these.
   */
  get pairs(): Int32Array {
    if (this.pairTable) return this.pairTable
    const t = (this.pairTable = new Int32Array(1 << LOOK))
    for (let w = 0; w < 1 << LOOK; w++) {
      const e1 = this.lookup[w]!
      const first = e1 >>> 16
      if (e1 === 0 || first >= LOOK || (e1 & 255) === 0xf0) continue
      if ((e1 & 15) === 0) {
        t[w] = (first << 16) | (first << 20) // an end of block alone (size 0 and a run other than 15 ends a block)
        continue
      }
      const e2 = this.lookup[(w << first) & ((1 << LOOK) - 1)]!
      if (e2 === 0 || ((e2 >> 8) & 31) > LOOK - first || (e2 & 255) === 0xf0) continue
      t[w] = (e1 & 255) | ((e2 & 255) << 8) | (first << 16) | ((first + (e2 >>> 16)) << 20)
    }
    return t
  }

  /**
   * The code longer than LOOK bits at the start of `w` (the next 32 bits, zeros past the data),
   * as a look-up entry. `left`: bits of data from there. No code within 16 bits is NO_CODE when
   * 16 bits of data were there, else ENDS; a code found may still run past the data (the caller
   * compares its length with `left`).
   */
  decodeLong(w: number, left: number): number {
    const top = w >>> 16
    let l = LOOK + 1
    let code = top >>> (16 - l)
    while (code > this.maxcode[l]!) {
      if (++l > 16) return left >= 16 ? NO_CODE : ENDS
      code = top >>> (16 - l)
    }
    const sym = this.symbols[this.valptr[l]! + code - this.mincode[l]!]!
    return sym | (l << 8) | ((l + (sym & 15)) << 16)
  }
}
