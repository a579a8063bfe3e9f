/**
 * A bit-exact port of what sharp 0.35 / libvips 8.18 do for
 *
 *   sharp(raw 1-channel).resize({ width: side, height: side, fit: 'outside',
 *     withoutEnlargement: true, kernel: 'linear' }).toColourspace('b-w').raw()
 *
 * for 8-bit gray input. It covers reduction factors below 4, where libvips's default
 * reduce gap of 2 means no integer box-shrink comes first. The prefilter sizes we
 * care about (shorter side / 224 in [1, 2)) fall well inside that.
 *
 * What libvips does for that call (vips_resize in resample/resize.c; read from the
 * libvips 8.18 branch, whose resample/ code is unchanged from 8.18.4 on, and checked
 * against the 8.18.7 build that sharp ships):
 *  - sharp (ResolveShrink in common.cc) takes shrink s = min(w, h) / side (fit
 *    'outside' = the smaller of the two ratios, floored at 1 by
 *    withoutEnlargement) and calls resize(1 / s, vscale 1 / s). resize hands
 *    reducev, then reduceh, the factor 1 / (1 / s). We use that exact double.
 *  - reducev (resample/reducev.cpp) and reduceh (reduceh.cpp) each:
 *      out size  = (int)(in / f + 0.5)
 *      offset    = (1 + (out * f - in)) / 2 - 1   (splits the rounding slack evenly)
 *      n taps    = 2 * rint(f) + 1                (vips_reduce_get_points, LINEAR)
 *      65 masks  for sub-pixel phase x = k / 64, k = 0..64, built in double by
 *                calculate_coefficients (templates.h): tent 1 - |t| at
 *                t = (i - (x + n/2 - 1)) / f, normalised to sum 1, then each
 *                truncated to int16 as (short)(c * 4096)
 *      edges     the input is first embedded with VIPS_EXTEND_COPY (edge pixels
 *                repeated), ceil(n/2) - 1 before and the rest after, so a tap
 *                lands on clamp(i - pad, 0, size - 1) of the original
 *      position  for output o, the input position P is a double that starts at
 *                (o0 + 0.5) * f - 0.5 - offset at the first output of the region
 *                being computed (o0) and has f added for each later output. The
 *                first tap is (int)P and the mask is number
 *                (((int)(P * 128) & 127) + 1) >> 1 (so 64 means "next pixel, phase 0")
 *      pixel     (2048 + sum of coeff * pixel) >> 12, clipped to 0..255. The
 *                x86 Highway path (reducev_hwy.cpp) and the C path give the same
 *                int32 result.
 *  - The vertical result is stored as 8-bit before the horizontal pass.
 *
 * Because P is accumulated, its low bits depend on where each region starts. With
 * sharp's raw output (vips_image_write_to_memory -> vips_sink_memory) and a
 * FATSTRIP pipeline, regions are full-width strips of 16 rows (vips_get_tile_size,
 * VIPS__FATSTRIP_HEIGHT). So the horizontal position restarts at column 0 on every
 * row, and the vertical position restarts every 16 output rows. We copy that here.
 * In practice it does not matter: for every size up to 1400 with a factor below 4,
 * restarting every 16, every 128, never, or computing P afresh for each output all
 * give the same taps, up to the mask 64 / next-pixel mask 0 pair, whose weights are
 * the same (the tent is 0 at the tap that differs).
 */

const TILE_ROWS = 16 // VIPS__FATSTRIP_HEIGHT: rows per region handed to reducev
const PHASES = 64 // VIPS_TRANSFORM_SCALE
const SHIFT = 12 // VIPS_INTERPOLATE_SHIFT
const ROUND = 1 << (SHIFT - 1)
const GAP = 2 // vips_resize's default reduce gap

/** C's rint(): round half to even. */
function rint(v: number): number {
  const f = Math.floor(v)
  const d = v - f
  return d > 0.5 || (d === 0.5 && f % 2 !== 0) ? f + 1 : f
}

/**
 * The taps for one axis: output `o` reads `n` inputs with weights coef[o*n + i]. idx[o*n + i]
 * are those inputs clamped to the image; start[o] is the first of them as an index into a
 * line with n copies of its edge pixel added on each side (so no clamping is needed there).
 */
interface Axis {
  out: number
  n: number
  start: Int32Array
  idx: Int32Array
  coef: Int32Array
}

/** Coefficients and input positions for reducing `size` by `f`, as reducev / reduceh build them. `restart` is the region height (1 << 30 for none). */
function axis(size: number, f: number, restart: number): Axis {
  const out = Math.trunc(size / f + 0.5) // VIPS_ROUND_UINT
  if (Math.max(1, Math.floor(size / out / GAP)) > 1)
    throw new RangeError(`reduce ${size} -> ${out}: libvips would box-shrink first, which is not ported`)
  const offset = (1 + (out * f - size)) / 2 - 1
  const n = 2 * rint(f) + 1
  const pad = Math.ceil(n / 2) - 1

  // The 65 int16 masks (calculate_coefficients + the (short) cast in *_build).
  const masks = new Int32Array((PHASES + 1) * n)
  const tmp = new Float64Array(n)
  for (let k = 0; k <= PHASES; k++) {
    const half = k / PHASES + n / 2 - 1
    let sum = 0
    for (let i = 0; i < n; i++) {
      const t = Math.abs((i - half) / f)
      tmp[i] = t < 1 ? 1 - t : 0
      sum += tmp[i]
    }
    let total = 0
    for (let i = 0; i < n; i++) total += masks[k * n + i] = Math.trunc((tmp[i] / sum) * 4096)
    // The passes below leave out libvips's clip to 0..255. That is safe because the tent
    // has no negative weights and truncation keeps each mask's sum <= 4096.
    if (total > 1 << SHIFT) throw new Error(`mask ${k} sums to ${total}`)
  }

  const start = new Int32Array(out)
  const idx = new Int32Array(out * n)
  const coef = new Int32Array(out * n)
  let p = 0
  for (let o = 0; o < out; o++) {
    // Position restarts at each region's first output, then accumulates (the *_gen loops).
    p = o % restart === 0 ? (o + 0.5) * f - 0.5 - offset : p + f
    const first = Math.trunc(p)
    const phase = ((Math.trunc(p * 2 * PHASES) & (2 * PHASES - 1)) + 1) >> 1
    start[o] = first - pad + n
    if (start[o] < 0 || start[o] > size + n) throw new Error(`tap ${first} outside the padded line`)
    for (let i = 0; i < n; i++) {
      const src = first + i - pad // undo the embed, then extend-copy at the edges
      idx[o * n + i] = src < 0 ? 0 : src >= size ? size - 1 : src
      coef[o * n + i] = masks[phase * n + i]
    }
  }
  return { out, n, start, idx, coef }
}

interface Plan {
  v: Axis
  h: Axis
}

const plans = new Map<string, Plan>()

function plan(width: number, height: number, f: number): Plan {
  const key = `${width}x${height}/${f}`
  let p = plans.get(key)
  if (!p) {
    // vips_resize runs reducev first, then reduceh on its (already narrowed to 8 bit) result.
    p = { v: axis(height, f, TILE_ROWS), h: axis(width, f, 1 << 30) }
    if (plans.size >= 32) plans.delete(plans.keys().next().value!)
    plans.set(key, p)
  }
  return p
}

/** Scratch for the vertically reduced image and for sums; grown as needed and reused (all synchronous). */
let scratch = new Uint8Array(0)
let acc = new Int32Array(0)

// In both passes below the masks are >= 0 and each sums to <= 4096 (every coefficient was
// truncated), so every sum is already within 0..255 after the shift: libvips's clip never
// bites and is left out.

/**
 * reducev: output row y = taps v.idx[y*n + i] (input rows) weighted by v.coef[y*n + i], into
 * `mid` at row stride `stride`, from column `pad` on, with `pad` copies of the edge pixels either
 * side (the extend-copy embed reduceh does before its pass).
 */
function reduceRows(src: Uint8Array, width: number, srcStride: number, v: Axis, mid: Uint8Array, stride: number, pad: number): void {
  const { n, idx, coef } = v
  for (let y = 0; y < v.out; y++) {
    const t = y * n
    const q = y * stride + pad
    const c0 = coef[t], c1 = coef[t + 1], c2 = coef[t + 2]
    const b0 = idx[t] * srcStride, b1 = idx[t + 1] * srcStride, b2 = idx[t + 2] * srcStride
    if (n === 3) {
      for (let x = 0; x < width; x++)
        mid[q + x] = (ROUND + c0 * src[b0 + x] + c1 * src[b1 + x] + c2 * src[b2 + x]) >> SHIFT
    } else if (n === 5) {
      const c3 = coef[t + 3], c4 = coef[t + 4]
      const b3 = idx[t + 3] * srcStride, b4 = idx[t + 4] * srcStride
      for (let x = 0; x < width; x++)
        mid[q + x] =
          (ROUND + c0 * src[b0 + x] + c1 * src[b1 + x] + c2 * src[b2 + x] + c3 * src[b3 + x] + c4 * src[b4 + x]) >> SHIFT
    } else if (n === 7) {
      const c3 = coef[t + 3], c4 = coef[t + 4], c5 = coef[t + 5], c6 = coef[t + 6]
      const b3 = idx[t + 3] * srcStride, b4 = idx[t + 4] * srcStride, b5 = idx[t + 5] * srcStride, b6 = idx[t + 6] * srcStride
      for (let x = 0; x < width; x++)
        mid[q + x] =
          (ROUND + c0 * src[b0 + x] + c1 * src[b1 + x] + c2 * src[b2 + x] + c3 * src[b3 + x] +
            c4 * src[b4 + x] + c5 * src[b5 + x] + c6 * src[b6 + x]) >> SHIFT
    } else {
      // Factors from 3.5 up, n = 9, 11, ...: three taps in the first sweep over the row, then two per sweep.
      for (let x = 0; x < width; x++) acc[x] = ROUND + c0 * src[b0 + x] + c1 * src[b1 + x] + c2 * src[b2 + x]
      for (let i = t + 3; i < t + n; i += 2) {
        const c0 = coef[i], c1 = coef[i + 1]
        const b0 = idx[i] * srcStride, b1 = idx[i + 1] * srcStride
        for (let x = 0; x < width; x++) acc[x] += c0 * src[b0 + x] + c1 * src[b1 + x]
      }
      for (let x = 0; x < width; x++) mid[q + x] = acc[x] >> SHIFT
    }
    mid.fill(mid[q], q - pad, q)
    mid.fill(mid[q + width - 1], q + width, q + width + pad)
  }
}

/**
 * reduceh over `mid` (rows of `stride`, padded as above): output column x = taps from
 * h.start[x] on, weighted by h.coef[x*n + i]. Done a column at a time, so each column's
 * coefficients are loaded once (measured faster in V8 than walking along rows).
 */
function reduceColumns(mid: Uint8Array, stride: number, rows: number, h: Axis, data: Uint8Array): void {
  const { n, out, start, coef } = h
  const end = out * rows
  for (let x = 0; x < out; x++) {
    const t = x * n
    const c0 = coef[t], c1 = coef[t + 1], c2 = coef[t + 2]
    if (n === 3) {
      for (let o = x, k = start[x]; o < end; o += out, k += stride)
        data[o] = (ROUND + c0 * mid[k] + c1 * mid[k + 1] + c2 * mid[k + 2]) >> SHIFT
    } else if (n === 5) {
      const c3 = coef[t + 3], c4 = coef[t + 4]
      for (let o = x, k = start[x]; o < end; o += out, k += stride)
        data[o] = (ROUND + c0 * mid[k] + c1 * mid[k + 1] + c2 * mid[k + 2] + c3 * mid[k + 3] + c4 * mid[k + 4]) >> SHIFT
    } else if (n === 7) {
      const c3 = coef[t + 3], c4 = coef[t + 4], c5 = coef[t + 5], c6 = coef[t + 6]
      for (let o = x, k = start[x]; o < end; o += out, k += stride)
        data[o] =
          (ROUND + c0 * mid[k] + c1 * mid[k + 1] + c2 * mid[k + 2] + c3 * mid[k + 3] +
            c4 * mid[k + 4] + c5 * mid[k + 5] + c6 * mid[k + 6]) >> SHIFT
    } else {
      for (let y = 0, k = start[x]; y < rows; y++, k += stride) acc[y] = ROUND + c0 * mid[k] + c1 * mid[k + 1] + c2 * mid[k + 2]
      for (let i = 3; i < n; i += 2) {
        const c0 = coef[t + i], c1 = coef[t + i + 1]
        for (let y = 0, k = start[x] + i; y < rows; y++, k += stride) acc[y] += c0 * mid[k] + c1 * mid[k + 1]
      }
      for (let y = 0, o = x; y < rows; y++, o += out) data[o] = acc[y] >> SHIFT
    }
  }
}

/** 8-bit gray `width` x `height` (rows `srcStride` bytes apart) reduced so its shorter side is `side`, exactly as sharp/libvips does it. */
export function reduceLinear(
  src: Uint8Array,
  width: number,
  height: number,
  side: number,
  srcStride = width,
): { data: Uint8Array; width: number; height: number } {
  if (src.length < (height - 1) * srcStride + width) throw new RangeError(`need ${(height - 1) * srcStride + width} bytes, got ${src.length}`)
  // sharp: shrink = min(w / side, h / side), floored at 1 (withoutEnlargement).
  const shrink = Math.max(1, Math.min(width / side, height / side))
  if (shrink === 1) {
    const data = new Uint8Array(width * height)
    for (let y = 0; y < height; y++) data.set(src.subarray(y * srcStride, y * srcStride + width), y * width)
    return { data, width, height }
  }
  const f = 1 / (1 / shrink) // resize(scale = 1 / shrink) hands reduce* 1 / scale

  // vips_resize runs reducev first, then reduceh on its 8-bit result.
  const { v, h } = plan(width, height, f)
  const stride = width + 2 * h.n
  if (scratch.length < stride * v.out) scratch = new Uint8Array(stride * v.out)
  if (acc.length < Math.max(width, v.out)) acc = new Int32Array(Math.max(width, v.out))
  reduceRows(src, width, srcStride, v, scratch, stride, h.n)
  const data = new Uint8Array(h.out * v.out)
  reduceColumns(scratch, stride, v.out, h, data)
  return { data, width: h.out, height: v.out }
}
