/**
 * Which activation map the heatmap shows, and how it is scaled to 0..1.
 *
 * The model's `cam` output holds one 7x7 map per class (classifier weights applied to the last
 * feature map), so mean(cam[c]) + bias[c] = logit[c]. With two classes, P(PNEUMONIA) depends
 * only on logit[PNEUMONIA] - logit[NORMAL]; the map shown is therefore the PNEUMONIA map taken
 * against NORMAL, d = cam[PNEUMONIA] - cam[NORMAL]: where the image argues for pneumonia.
 * (Features both classes weigh alike, such as a bright marker, cancel out of d.)
 *
 * Scaling (as Grad-CAM and pytorch-grad-cam): r = max(d, 0); h = (r - min r) / (max r - min r);
 * h = 0 everywhere when max r - min r < 1e-6 (no cell argues for pneumonia). Scaling the 7x7
 * grid before upsampling gives the same map as scaling after, since bilinear interpolation stays
 * inside the range of its inputs.
 */
export const CAM_SIZE = 7
export const CAM_MAP = 'PNEUMONIA - NORMAL, ReLU, min-max'

/** d = cam[positive] - cam[other] from a [2, 7, 7] CAM in the order of `labels`. */
export function contrastMap(cam: ArrayLike<number>, labels: string[], positive: string): Float64Array {
  const n = CAM_SIZE * CAM_SIZE
  if (labels.length !== 2 || cam.length !== 2 * n) throw new Error(`expected a [2,${CAM_SIZE},${CAM_SIZE}] CAM for two labels; got ${cam.length} values for ${labels.length}`)
  const p = labels.indexOf(positive)
  const d = new Float64Array(n)
  for (let i = 0; i < n; i++) d[i] = cam[p * n + i] - cam[(1 - p) * n + i]
  return d
}

/** ReLU then min-max to 0..1 (all zeros when flat), as stated above. */
export function normalizeMap(d: ArrayLike<number>): Float32Array {
  const r = Array.from(d, (v) => Math.max(v, 0))
  const lo = Math.min(...r)
  const hi = Math.max(...r)
  const out = new Float32Array(r.length)
  if (hi - lo < 1e-6) return out
  for (let i = 0; i < r.length; i++) out[i] = (r[i] - lo) / (hi - lo)
  return out
}
