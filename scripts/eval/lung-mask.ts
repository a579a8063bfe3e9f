/**
 * A classical lung-field mask for frontal chest X-rays, to check where heatmaps fall. A small,
 * documented heuristic, not a segmentation model; validated by eye on overlays, and it rejects
 * its own implausible results (docs/EVALUATION.md says how often).
 *
 * On the 8-bit image scaled to 256 px wide (g: three box-blur passes of radius 4):
 * 1. the outside air: everything reached from the image border through pixels darker than Otsu's
 *    threshold of the whole image, grown by 3 px; the lungs never extend into it;
 * 2. one seed per lung: the darkest point, outside the outside air, of a coarser blur (radius 10:
 *    the middle of a dark mass, not a gap between ribs) in rows 25-65% of the height and columns
 *    18-40% (the patient's right lung) or 60-82% (left);
 * 3. the mediastinum level m: the brightest g on the seed's row in columns 40-60%, and the
 *    midline: the middle of the columns within one level of m;
 * 4. region growing from the seed over pixels within k x (m - seed) of the seed's value, for
 *    k = 0.2, 0.25, ... 0.5 in turn (0.5: the edge half-way between lung and mediastinum), until
 *    the field leaks (too large, reaching the image's sides or bottom, or crossing the midline);
 *    the last field that passed step 6 is the lung's;
 * 5. an opening by a 7x7 square cuts thin leaks; holes are filled; the part holding the seed (or
 *    else the largest part) is the lung, and its convex hull its field (consolidation is bright
 *    and falls out of step 4; the hull takes it back in where it lies at the lung's edge);
 * 6. a lung is rejected when its field covers under 2% or over 25% of the image, is less than
 *    30% of the image high or wider than high, ends above 55% of the height, touches the image's
 *    sides or bottom (the top may cut through the apices), crosses the midline, or its centre
 *    lies on the wrong side of the midline or within 12% of the width from it;
 * 7. symmetry: each field becomes the hull of itself and the other side's field mirrored about
 *    the midline, since a lung filled with consolidation is as bright as the heart and cannot be
 *    grown into; with one lung found, the other is its mirror image. (On the left this takes in
 *    the part of the heart shadow that mirrors the right lung: the left lower lobe lies behind it.)
 *
 * `thorax` is the convex hull of both fields together: the lungs and the mediastinum between them.
 */
import { blur, components, convexHull, fillHoles, morph, otsu } from './morphology.ts'

export const MASK_WIDTH = 256
/** Growth bands tried, as shares of (mediastinum level - seed value). */
const BANDS = [0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5]

export interface LungMask {
  width: number
  height: number
  /** 1 inside the accepted lung fields. */
  mask: Uint8Array
  /** Share of the image inside the mask. */
  area: number
  /** The convex hull of both fields (lungs and mediastinum). */
  thorax: Uint8Array
  thoraxArea: number
  /** Lungs found before the symmetry step (0, 1 or 2), and why the others were not. */
  lungs: number
  rejected: string[]
}

/** Pixels reached from the border through pixels where `pass` is 1. */
function fromBorder(pass: Uint8Array, w: number, h: number): Uint8Array {
  const { labels } = components(pass, w, h)
  const border = new Set<number>()
  for (let x = 0; x < w; x++) border.add(labels[x]).add(labels[(h - 1) * w + x])
  for (let y = 0; y < h; y++) border.add(labels[y * w]).add(labels[y * w + w - 1])
  border.delete(0)
  return Uint8Array.from(labels, (l) => (border.has(l) ? 1 : 0))
}

function grow(g: Float32Array, w: number, h: number, seed: number, lo: number, hi: number, blocked: Uint8Array): Uint8Array {
  const region = new Uint8Array(w * h)
  region[seed] = 1
  const stack = [seed]
  while (stack.length) {
    const p = stack.pop()!
    const x = p % w
    for (const q of [x > 0 ? p - 1 : -1, x < w - 1 ? p + 1 : -1, p - w, p + w])
      if (q >= 0 && q < w * h && !region[q] && !blocked[q] && g[q] >= lo && g[q] <= hi) {
        region[q] = 1
        stack.push(q)
      }
  }
  return region
}

interface Field {
  field?: Uint8Array
  /** The mediastinum's column on the seed's row. */
  midline?: number
  why?: string
}

function lungField(g: Float32Array, coarse: Float32Array, w: number, h: number, side: 0 | 1, outside: Uint8Array): Field {
  const [x0, x1] = side === 0 ? [0.18, 0.4] : [0.6, 0.82]
  let seed = -1
  for (let y = Math.floor(0.25 * h); y < 0.65 * h; y++)
    for (let x = Math.floor(x0 * w); x < x1 * w; x++) if (!outside[y * w + x] && (seed < 0 || coarse[y * w + x] < coarse[seed])) seed = y * w + x
  if (seed < 0) return { why: 'no seed inside the body' }
  const row = Math.floor(seed / w)
  let m = 0
  for (let x = Math.floor(0.4 * w); x < 0.6 * w; x++) m = Math.max(m, g[row * w + x])
  // The midline: the middle of the columns within one level of that maximum (a plateau's centre).
  let sum = 0
  let count = 0
  for (let x = Math.floor(0.4 * w); x < 0.6 * w; x++)
    if (g[row * w + x] >= m - 1) {
      sum += x
      count++
    }
  const midline = sum / count
  // Grow with a widening band until the field stops looking like a lung (it leaked): keep the last good one.
  let best: Field = { why: 'no band gave a lung-shaped field' }
  for (const k of BANDS) {
    const r = fieldAt(g, w, h, seed, k * (m - g[seed]), outside, midline)
    if (r.field) best = { field: r.field, midline }
    else if (r.leaked) break
    else if (!best.field) best = { why: r.why }
  }
  return best
}

/** The field grown from `seed` over values within `d` of it, with the checks of step 6. */
function fieldAt(g: Float32Array, w: number, h: number, seed: number, d: number, outside: Uint8Array, midline: number): { field?: Uint8Array; why?: string; leaked?: boolean } {
  const side = seed % w < w / 2 ? 0 : 1
  const region = grow(g, w, h, seed, g[seed] - d, g[seed] + d, outside)
  const opened = morph(morph(region, w, h, 3, false), w, h, 3, true)
  const { labels, sizes } = components(fillHoles(opened, w, h), w, h)
  const keep = labels[seed] || sizes.indexOf(Math.max(0, ...sizes.slice(1)))
  if (keep <= 0) return { why: 'nothing left after the opening' }
  const field = convexHull(Uint8Array.from(labels, (l) => (l === keep ? 1 : 0)), w, h)
  let n = 0
  let sx = 0
  let edge = false
  let [top, bottom, left, right] = [h, 0, w, 0]
  for (let i = 0; i < field.length; i++) {
    if (!field[i]) continue
    n++
    const x = i % w
    const y = (i - x) / w
    sx += x
    ;[top, bottom, left, right] = [Math.min(top, y), Math.max(bottom, y), Math.min(left, x), Math.max(right, x)]
    edge ||= x === 0 || x === w - 1 || i >= w * (h - 1) // the top may cut through the apices
  }
  if (n > 0.25 * w * h) return { why: `field covers ${((100 * n) / (w * h)).toFixed(0)}% of the image`, leaked: true }
  if (edge) return { why: 'field touches the image border', leaked: true }
  if (side === 0 ? right > midline : left < midline) return { why: 'field crosses the midline', leaked: true }
  if (n < 0.02 * w * h) return { why: `field covers ${((100 * n) / (w * h)).toFixed(0)}% of the image` }
  if (bottom - top < 0.3 * h || bottom - top < right - left) return { why: 'field not tall enough to be a lung' }
  if ((sx / n < w / 2 ? 0 : 1) !== side) return { why: 'field centre on the wrong side' }
  if (Math.abs(sx / n - midline) < 0.12 * w) return { why: 'field centre too close to the midline' }
  if (bottom < 0.55 * h) return { why: 'field ends above 55% of the height' }
  return { field }
}

const mirror = (mask: Uint8Array, w: number, h: number, midline: number) => {
  const out = new Uint8Array(w * h)
  for (let i = 0; i < mask.length; i++) {
    if (!mask[i]) continue
    const x = Math.round(2 * midline - (i % w))
    if (x >= 0 && x < w) out[i - (i % w) + x] = 1
  }
  return out
}
const union = (a: Uint8Array, b: Uint8Array) => a.map((v, i) => v | b[i])
const share = (m: Uint8Array) => m.reduce((n, v) => n + v, 0) / m.length

export function lungMask(gray: Uint8Array, w: number, h: number): LungMask {
  const g = blur(gray, w, h, 4)
  const coarse = blur(gray, w, h, 10)
  const t = otsu(g)
  const outside = morph(fromBorder(Uint8Array.from(g, (v) => (v < t ? 1 : 0)), w, h), w, h, 3, true)
  const found = ([0, 1] as const).map((side) => lungField(g, coarse, w, h, side, outside))
  const rejected = found.flatMap((f, side) => (f.field ? [] : [`${side === 0 ? 'right' : 'left'} lung: ${f.why}`]))
  const ok = found.filter((f) => f.field)
  const empty = new Uint8Array(w * h)
  if (!ok.length) return { width: w, height: h, mask: empty, area: 0, thorax: empty, thoraxArea: 0, lungs: 0, rejected }
  const midline = ok.reduce((s, f) => s + f.midline!, 0) / ok.length
  const fields = found.map((f, side) => {
    const other = found[1 - side].field
    const own = f.field ?? empty
    return other ? convexHull(union(own, mirror(other, w, h, midline)), w, h) : own
  })
  const mask = union(fields[0], fields[1])
  const thorax = convexHull(mask, w, h)
  return { width: w, height: h, mask, area: share(mask), thorax, thoraxArea: share(thorax), lungs: ok.length, rejected }
}
