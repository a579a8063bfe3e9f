/** Small binary-image tools for the lung-field heuristic (lung-mask.ts). Masks are 0/1 bytes, row-major. */

/** Box blur of radius r (clamped edges), three passes: close to a Gaussian of sigma ~ r. */
export function blur(src: Uint8Array, w: number, h: number, r: number): Float32Array {
  let a = Float32Array.from(src)
  let b = new Float32Array(a.length)
  for (let pass = 0; pass < 3; pass++) {
    for (let y = 0; y < h; y++)
      for (let x = 0; x < w; x++) {
        let s = 0
        for (let k = -r; k <= r; k++) s += a[y * w + Math.min(w - 1, Math.max(0, x + k))]
        b[y * w + x] = s / (2 * r + 1)
      }
    for (let y = 0; y < h; y++)
      for (let x = 0; x < w; x++) {
        let s = 0
        for (let k = -r; k <= r; k++) s += b[Math.min(h - 1, Math.max(0, y + k)) * w + x]
        a[y * w + x] = s / (2 * r + 1)
      }
  }
  return a
}

/** Otsu's threshold of the values where `where` is 1 (values 0..255). */
export function otsu(v: ArrayLike<number>, where?: Uint8Array): number {
  const hist = new Float64Array(256)
  let n = 0
  for (let i = 0; i < v.length; i++)
    if (!where || where[i]) {
      hist[Math.min(255, Math.max(0, Math.round(v[i])))]++
      n++
    }
  let sum = 0
  for (let t = 0; t < 256; t++) sum += t * hist[t]
  let best = 0
  let bestT = 0
  let w0 = 0
  let s0 = 0
  for (let t = 0; t < 256; t++) {
    w0 += hist[t]
    s0 += t * hist[t]
    if (w0 === 0 || w0 === n) continue
    const m0 = s0 / w0
    const m1 = (sum - s0) / (n - w0)
    const between = w0 * (n - w0) * (m0 - m1) ** 2
    if (between > best) {
      best = between
      bestT = t
    }
  }
  return bestT
}

/** Connected components (4-neighbours): a label per pixel (0 = none) and each component's pixel count. */
export function components(mask: Uint8Array, w: number, h: number): { labels: Int32Array; sizes: number[] } {
  const labels = new Int32Array(w * h)
  const sizes = [0]
  const stack: number[] = []
  for (let i = 0; i < mask.length; i++) {
    if (!mask[i] || labels[i]) continue
    const id = sizes.length
    sizes.push(0)
    labels[i] = id
    stack.push(i)
    while (stack.length) {
      const p = stack.pop()!
      sizes[id]++
      const x = p % w
      const y = (p - x) / w
      for (const q of [x > 0 ? p - 1 : -1, x < w - 1 ? p + 1 : -1, y > 0 ? p - w : -1, y < h - 1 ? p + w : -1])
        if (q >= 0 && mask[q] && !labels[q]) {
          labels[q] = id
          stack.push(q)
        }
    }
  }
  return { labels, sizes }
}

/** The mask with every hole (background not connected to the border) filled. */
export function fillHoles(mask: Uint8Array, w: number, h: number): Uint8Array {
  const inverse = mask.map((v) => 1 - v)
  const { labels } = components(inverse, w, h)
  const outside = new Set<number>()
  for (let x = 0; x < w; x++) outside.add(labels[x]).add(labels[(h - 1) * w + x])
  for (let y = 0; y < h; y++) outside.add(labels[y * w]).add(labels[y * w + w - 1])
  return mask.map((v, i) => (v || !outside.has(labels[i]) ? 1 : 0))
}

/** Dilation (grow) or erosion (shrink) by a square of half-size r. */
export function morph(mask: Uint8Array, w: number, h: number, r: number, grow: boolean): Uint8Array {
  const pass = (src: Uint8Array, horizontal: boolean) => {
    const out = new Uint8Array(src.length)
    for (let y = 0; y < h; y++)
      for (let x = 0; x < w; x++) {
        let v = grow ? 0 : 1
        for (let k = -r; k <= r; k++) {
          const xx = horizontal ? x + k : x
          const yy = horizontal ? y : y + k
          const s = xx < 0 || yy < 0 || xx >= w || yy >= h ? (grow ? 0 : 1) : src[yy * w + xx]
          v = grow ? v | s : v & s
        }
        out[y * w + x] = v
      }
    return out
  }
  return pass(pass(mask, true), false)
}

/** The convex hull of the mask's pixels, filled (monotone chain, then a point-in-polygon scan). */
export function convexHull(mask: Uint8Array, w: number, h: number): Uint8Array {
  const pts: [number, number][] = []
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) if (mask[y * w + x]) pts.push([x, y])
  const out = new Uint8Array(w * h)
  if (pts.length < 3) return mask.slice()
  const cross = (o: number[], a: number[], b: number[]) => (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0])
  const half = (ps: [number, number][]) => {
    const hull: [number, number][] = []
    for (const p of ps) {
      while (hull.length >= 2 && cross(hull[hull.length - 2], hull[hull.length - 1], p) <= 0) hull.pop()
      hull.push(p)
    }
    hull.pop()
    return hull
  }
  const sorted = pts.sort((a, b) => a[0] - b[0] || a[1] - b[1])
  const hull = [...half(sorted), ...half([...sorted].reverse())]
  // Inside a convex polygon: on the same side of every edge (either orientation).
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      let pos = 0
      let neg = 0
      for (let i = 0; i < hull.length && !(pos && neg); i++) {
        const c = cross(hull[i], hull[(i + 1) % hull.length], [x, y])
        if (c > 0) pos++
        else if (c < 0) neg++
      }
      out[y * w + x] = pos && neg ? 0 : 1
    }
  return out
}

/** Two thresholds splitting the values where `where` is 1 into three classes (multi-level Otsu). */
export function otsu3(v: ArrayLike<number>, where?: Uint8Array): [number, number] {
  const hist = new Float64Array(256)
  for (let i = 0; i < v.length; i++) if (!where || where[i]) hist[Math.min(255, Math.max(0, Math.round(v[i])))]++
  const P = new Float64Array(257)
  const S = new Float64Array(257)
  for (let t = 0; t < 256; t++) {
    P[t + 1] = P[t] + hist[t]
    S[t + 1] = S[t] + t * hist[t]
  }
  // Between-class variance up to a constant: sum over classes of S^2 / P, classes [0,a) [a,b) [b,256).
  const term = (lo: number, hi: number) => {
    const p = P[hi] - P[lo]
    return p > 0 ? (S[hi] - S[lo]) ** 2 / p : 0
  }
  let best = -1
  let out: [number, number] = [0, 0]
  for (let a = 1; a < 255; a++)
    for (let b = a + 1; b < 256; b++) {
      const v2 = term(0, a) + term(a, b) + term(b, 256)
      if (v2 > best) {
        best = v2
        out = [a, b]
      }
    }
  return out
}
