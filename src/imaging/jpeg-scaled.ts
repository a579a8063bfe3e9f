/**
 * A gray baseline JPEG decoded at 1/2, 1/4 or 1/8 of its size during the integrity walk
 * (src/imaging/jpeg-verify.ts), with libjpeg's reduced-size inverse DCTs (jidctred.c: the
 * "islow" integer arithmetic, its rounding and its range limit), so the pixels are the ones
 * libjpeg (and so libvips' shrink-on-load) gives for the same scale, bit for bit. The walk reads
 * every code anyway; taking the values of the coefficients the reduced DCT uses costs little
 * next to a second, separate decode.
 */

import { giveBytes, takeBytes } from './scratch.ts'

/** Zigzag position -> natural (row-major) position in the 8x8 block; 16 spare entries as libjpeg keeps. */
const NATURAL = Uint8Array.from([
  0, 1, 8, 16, 9, 2, 3, 10, 17, 24, 32, 25, 18, 11, 4, 5, 12, 19, 26, 33, 40, 48, 41, 34, 27, 20, 13, 6, 7, 14, 21, 28, 35, 42, 49, 56, 57, 50, 43, 36, 29, 22, 15, 23,
  30, 37, 44, 51, 58, 59, 52, 45, 38, 31, 39, 46, 53, 60, 61, 54, 47, 55, 62, 63, ...Array<number>(16).fill(63),
])

/**
 * libjpeg's post-IDCT range limit, indexed by (value & 1023), value before the +128 level shift:
 * -384..383 clamp to 0..255 around the centre, further out the table wraps as libjpeg's does.
 */
const LIMIT = Uint8Array.from({ length: 1024 }, (_, i) => (i < 128 ? i + 128 : i < 512 ? 255 : i < 896 ? 0 : i - 896))

// Fixed-point constants of jidctred.c (CONST_BITS 13), PASS1_BITS 2 for 8-bit samples.
const F0_211 = 1730, F0_509 = 4176, F0_601 = 4926, F0_720 = 5906, F0_765 = 6270, F0_850 = 6967, F0_899 = 7373
const F1_061 = 8697, F1_272 = 10426, F1_451 = 11893, F1_847 = 15137, F2_172 = 17799, F2_562 = 20995, F3_624 = 29692

/** (x + 2^(n-1)) >> n on exact doubles (pass 2 exceeds 32 bits): libjpeg's DESCALE, an arithmetic shift that rounds. */
const descale = (x: number, n: number) => Math.floor((x + 2 ** (n - 1)) * 2 ** -n)

/** Rows and columns of the 8x8 coefficients each reduced IDCT reads. */
const USED: Record<ScaleDenom, number[]> = { 2: [0, 1, 2, 3, 5, 6, 7], 4: [0, 1, 3, 5, 7], 8: [0] }
const COLS4 = Int32Array.from(USED[2])
const COLS2 = Int32Array.from(USED[4])

export type ScaleDenom = 2 | 4 | 8

/** Receives each block's coefficients from the walk (src/imaging/jpeg-walk.ts) and writes its reduced pixels. */
export class ScaledGray {
  /** The block being walked: dequantized coefficients in natural order (only those the IDCT reads), then a spare slot. */
  readonly coef = new Int32Array(65)
  /**
   * Per zigzag position 0-79: where its value goes in `coef`, its natural position when the
   * reduced IDCT reads it, else the spare slot 64 (the walk stores every value without a branch).
   */
  readonly need = new Uint8Array(80).fill(64)
  /** The component's quantization table (zigzag order), set when its scan starts. */
  q: Uint16Array = new Uint16Array(64)
  /** False once the file holds something libvips would treat differently (an ICC profile, say): the pixels are then not used. */
  plain = true
  /** Blocks written. */
  blocks = 0
  private readonly ws = new Int32Array(32)
  /** Where the next block's pixels go, and its column. */
  private at = 0
  private col = 0
  private readonly side: number
  /** The reduced blocks, whole (rows of `stride` bytes): a buffer from scratch.ts, given back by `release`. */
  readonly padded: Uint8Array
  readonly stride: number
  private readonly perRow: number
  readonly outWidth: number
  readonly outHeight: number

  constructor(
    readonly width: number,
    readonly height: number,
    readonly scale: ScaleDenom,
  ) {
    this.side = 8 / scale
    this.perRow = Math.ceil(width / 8)
    this.stride = this.perRow * this.side
    this.padded = takeBytes(this.stride * Math.ceil(height / 8) * this.side)
    // libvips' shrink-on-load rounds down (libjpeg rounds up; the partial last row and column are dropped).
    this.outWidth = Math.floor(width / scale)
    this.outHeight = Math.floor(height / scale)
    const used = new Set(USED[scale])
    for (let k = 0; k < 64; k++) if (used.has(NATURAL[k]! >> 3) && used.has(NATURAL[k]! & 7)) this.need[k] = NATURAL[k]!
  }

  /** Every block of a frame of `width` x `height` written? */
  get complete(): boolean {
    return this.blocks === this.perRow * Math.ceil(this.height / 8)
  }

  /** A copy of the pixels, `outWidth` x `outHeight` (whole reduced pixels only, as libvips gives them), row-major. */
  pixels(): Uint8Array {
    const { outWidth: w, outHeight: h, stride } = this
    const out = new Uint8Array(w * h)
    for (let y = 0; y < h; y++) out.set(this.padded.subarray(y * stride, y * stride + w), y * w)
    return out
  }

  /** Gives `padded` back for the next image; nothing reads it afterwards. */
  release(): void {
    giveBytes(this.padded)
  }

  /**
   * The reduced IDCT of the next block (raster order), then its coefficients cleared. `cols`: the
   * columns in which the walk stored an AC value the IDCT reads (bit x for column x); 0: only the DC.
   */
  block(cols: number): void {
    if (cols === 0) this.flat(this.at)
    else if (this.scale === 4) this.idct2(this.at, cols)
    else if (this.scale === 2) this.idct4(this.at, cols)
    else this.padded[this.at] = LIMIT[descale(this.coef[0]!, 3) & 1023]!
    this.blocks++
    this.at += this.side
    if (++this.col === this.perRow) {
      this.col = 0
      this.at += (this.side - 1) * this.stride
    }
  }

  /** A block with no AC coefficient the IDCT reads: both passes reduce to the DC's level, every pixel alike. */
  private flat(at: number): void {
    const v = LIMIT[(((this.coef[0]! << 2) + 16) >> 5) & 1023]!
    const out = this.padded
    const side = this.side
    for (let r = 0, o = at; r < side; r++, o += this.stride) for (let x = 0; x < side; x++) out[o + x] = v
  }

  // Pass 1 runs in 32-bit integers: with quantizers up to 255 the walk's range checks bound every
  // dequantized coefficient below 2^12, so no sum reaches 2^31. Pass 2 may pass 2^32: doubles.
  // A column with no AC value is its DC (column 0) or nothing; when only column 0 has any, every
  // row of the second pass is flat.

  /** jpeg_idct_2x2: 2x2 pixels from rows and columns 0, 1, 3, 5, 7 (which it clears for the next block). */
  private idct2(at: number, cols: number): void {
    const c = this.coef
    const ws = this.ws
    for (let i = 0; i < 5; i++) {
      const x = COLS2[i]!
      if ((cols & (1 << x)) === 0) {
        ws[x] = ws[8 + x] = x === 0 ? c[0]! << 2 : 0
        continue
      }
      const z0 = c[x]!, z1 = c[8 + x]!, z3 = c[24 + x]!, z5 = c[40 + x]!, z7 = c[56 + x]!
      c[x] = c[8 + x] = c[24 + x] = c[40 + x] = c[56 + x] = 0
      const t10 = z0 << 15
      const t0 = z7 * -F0_720 + z5 * F0_850 + z3 * -F1_272 + z1 * F3_624
      ws[x] = (t10 + t0 + 4096) >> 13
      ws[8 + x] = (t10 - t0 + 4096) >> 13
    }
    const out = this.padded
    const flatRows = (cols & ~1) === 0
    for (let r = 0, o = at; r < 16; r += 8, o += this.stride) {
      const w1 = ws[r + 1]!, w3 = ws[r + 3]!, w5 = ws[r + 5]!, w7 = ws[r + 7]!
      if (flatRows || (w1 | w3 | w5 | w7) === 0) {
        out[o] = out[o + 1] = LIMIT[((ws[r]! + 16) >> 5) & 1023]!
        continue
      }
      const t10 = ws[r]! * 2 ** 15
      const t0 = w7 * -F0_720 + w5 * F0_850 + w3 * -F1_272 + w1 * F3_624
      out[o] = LIMIT[descale(t10 + t0, 20) & 1023]!
      out[o + 1] = LIMIT[descale(t10 - t0, 20) & 1023]!
    }
  }

  /** jpeg_idct_4x4: 4x4 pixels from all rows and columns but 4 (which it clears for the next block). */
  private idct4(at: number, cols: number): void {
    const c = this.coef
    const ws = this.ws
    for (let i = 0; i < 7; i++) {
      const x = COLS4[i]!
      if ((cols & (1 << x)) === 0) {
        ws[x] = ws[8 + x] = ws[16 + x] = ws[24 + x] = x === 0 ? c[0]! << 2 : 0
        continue
      }
      const z0 = c[x]!, z1 = c[8 + x]!, z2 = c[16 + x]!, z3 = c[24 + x]!, z5 = c[40 + x]!, z6 = c[48 + x]!, z7 = c[56 + x]!
      c[x] = c[8 + x] = c[16 + x] = c[24 + x] = c[40 + x] = c[48 + x] = c[56 + x] = 0
      const t0 = z0 << 14
      const t2 = z2 * F1_847 + z6 * -F0_765
      const t10 = t0 + t2, t12 = t0 - t2
      const o0 = z7 * -F0_211 + z5 * F1_451 + z3 * -F2_172 + z1 * F1_061
      const o2 = z7 * -F0_509 + z5 * -F0_601 + z3 * F0_899 + z1 * F2_562
      ws[x] = (t10 + o2 + 2048) >> 12
      ws[24 + x] = (t10 - o2 + 2048) >> 12
      ws[8 + x] = (t12 + o0 + 2048) >> 12
      ws[16 + x] = (t12 - o0 + 2048) >> 12
    }
    const out = this.padded
    const flatRows = (cols & ~1) === 0
    for (let r = 0, o = at; r < 32; r += 8, o += this.stride) {
      const w1 = ws[r + 1]!, w2 = ws[r + 2]!, w3 = ws[r + 3]!, w5 = ws[r + 5]!, w6 = ws[r + 6]!, w7 = ws[r + 7]!
      if (flatRows || (w1 | w2 | w3 | w5 | w6 | w7) === 0) {
        out[o] = out[o + 1] = out[o + 2] = out[o + 3] = LIMIT[((ws[r]! + 16) >> 5) & 1023]!
        continue
      }
      const t0 = ws[r]! * 2 ** 14
      const t2 = w2 * F1_847 + w6 * -F0_765
      const t10 = t0 + t2, t12 = t0 - t2
      const o0 = w7 * -F0_211 + w5 * F1_451 + w3 * -F2_172 + w1 * F1_061
      const o2 = w7 * -F0_509 + w5 * -F0_601 + w3 * F0_899 + w1 * F2_562
      out[o] = LIMIT[descale(t10 + o2, 19) & 1023]!
      out[o + 3] = LIMIT[descale(t10 - o2, 19) & 1023]!
      out[o + 1] = LIMIT[descale(t12 + o0, 19) & 1023]!
      out[o + 2] = LIMIT[descale(t12 - o0, 19) & 1023]!
    }
  }
}
