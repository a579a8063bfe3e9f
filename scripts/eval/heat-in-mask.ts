/** Where a heatmap's weight falls relative to a mask (lung-fields.ts). `heat` and `mask` are row-major, same size. */
export interface HeatInMask {
  /** Share of the heatmap's mass (sum of h) inside the mask; NaN for an all-zero map. */
  mass: number
  /** Share of the hottest 10% of pixels (h at or above the 90th percentile, h > 0) inside the mask. */
  top10: number
  /** Whether the hottest pixel is inside. */
  peak: boolean
}

export function heatInMask(heat: ArrayLike<number>, mask: Uint8Array): HeatInMask {
  let total = 0
  let inside = 0
  let peak = 0
  for (let i = 0; i < heat.length; i++) {
    total += heat[i]
    if (mask[i]) inside += heat[i]
    if (heat[i] > heat[peak]) peak = i
  }
  const sorted = Float64Array.from(heat).sort()
  const q90 = Math.max(sorted[Math.floor(0.9 * (sorted.length - 1))], Number.MIN_VALUE)
  let hot = 0
  let hotInside = 0
  for (let i = 0; i < heat.length; i++)
    if (heat[i] >= q90) {
      hot++
      if (mask[i]) hotInside++
    }
  return { mass: total > 0 ? inside / total : Number.NaN, top10: hot ? hotInside / hot : Number.NaN, peak: total > 0 && mask[peak] === 1 }
}
