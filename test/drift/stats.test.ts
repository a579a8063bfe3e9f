/**
 * The drift statistics against NumPy and SciPy: PSI over the same bins, and the two-sample KS
 * (scipy.stats.ks_2samp on every reference value, where the product keeps 201 quantiles); the
 * image statistics the audit keeps against NumPy on the same sampled pixels.
 */
import { expect, it } from 'vitest'
import { describeImage, sampleGrid, statsOf } from '../../src/audit/image-stats.ts'
import { binShares, cdfFromQuantiles, ks, psi, quantile } from '../../src/drift/stats.ts'
import { noiseImage } from '../helpers/fixtures.ts'
import { python, scipy } from '../helpers/python.ts'
import { describeWith } from '../helpers/require.ts'

/** Deterministic normal(mu, sigma) values (LCG + Box-Muller). */
function normals(n: number, mu: number, sigma: number, seed: number): number[] {
  let s = seed >>> 0
  const u = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) + 1) / 2 ** 32
  return Array.from({ length: n }, () => mu + sigma * Math.sqrt(-2 * Math.log(u())) * Math.cos(2 * Math.PI * u()))
}

const SCIPY = `
import json, sys, numpy as np
from scipy.stats import ks_2samp
d = json.load(sys.stdin)
ref = np.array(d['ref']); out = []
edges = np.quantile(ref, [i / 10 for i in range(1, 10)])
e = np.bincount(np.searchsorted(edges, ref, side='right'), minlength=10) / len(ref)
for rec in d['recent']:
    rec = np.array(rec)
    a = np.bincount(np.searchsorted(edges, rec, side='right'), minlength=10) / len(rec)
    a2 = np.maximum(a, 1e-4); e2 = np.maximum(e, 1e-4)
    r = ks_2samp(rec, ref, method='asymp')
    out.append({'psi': float(np.sum((a2 - e2) * np.log(a2 / e2))), 'd': float(r.statistic), 'p': float(r.pvalue)})
print(json.dumps({'edges': edges.tolist(), 'out': out}))
`

describeWith(scipy, 'drift statistics', () => {
  it('PSI equals NumPy on decile bins; KS D within 1/200 of scipy ks_2samp, p within a factor 1.5', () => {
    const ref = normals(5000, 120, 20, 1)
    const recents = [0, 2, 5, 10, 20].map((shift, i) => normals(300, 120 + shift, 20 * (1 + i * 0.05), 10 + i))
    const py = python<{ edges: number[]; out: { psi: number; d: number; p: number }[] }>(SCIPY, { ref, recent: recents })
    const sorted = [...ref].sort((a, b) => a - b)
    const edges = Array.from({ length: 9 }, (_, i) => quantile(sorted, (i + 1) / 10))
    edges.forEach((e, i) => expect(e).toBeCloseTo(py.edges[i]!, 9))
    const cdf = cdfFromQuantiles(Array.from({ length: 201 }, (_, i) => quantile(sorted, i / 200)))
    recents.forEach((rec, i) => {
      const want = py.out[i]!
      expect(psi(binShares(edges, rec), binShares(edges, ref))).toBeCloseTo(want.psi, 9)
      const got = ks(rec, cdf, ref.length)
      expect(Math.abs(got.d - want.d), `D ${got.d} vs ${want.d}`).toBeLessThanOrEqual(1 / 200)
      if (want.p > 1e-8) expect(Math.abs(Math.log(got.p / want.p)), `p ${got.p} vs ${want.p}`).toBeLessThan(Math.log(1.5))
      else expect(got.p).toBeLessThan(1e-6)
    })
  })

  it('the image statistics equal NumPy on the sampled grid: histogram, mean, std, percentiles', () => {
    const img = noiseImage(613, 487, 3)
    // A gradient under the noise so the histogram is not flat.
    for (let y = 0; y < img.height; y++) for (let x = 0; x < img.width; x++) img.data[y * img.width + x] = (img.data[y * img.width + x]! >> 2) + Math.floor((x * 190) / img.width)
    const sample = sampleGrid(img, 224, 224)
    const stats = statsOf(sample)
    const want = python<{ h: number[]; mean: number; std: number; p1: number; p99: number }>(
      `
import json, sys, numpy as np
d = json.load(sys.stdin)
img = np.array(d['data'], dtype=np.uint8).reshape(d['h'], d['w'])
ys = np.minimum(np.floor((np.arange(224) + 0.5) * d['h'] / 224).astype(int), d['h'] - 1)
xs = np.minimum(np.floor((np.arange(224) + 0.5) * d['w'] / 224).astype(int), d['w'] - 1)
s = img[np.ix_(ys, xs)].astype(np.float64).ravel()
print(json.dumps({'h': np.bincount((s // 8).astype(int), minlength=32).tolist(), 'mean': s.mean(), 'std': s.std(),
  'p1': float(np.percentile(s, 1, method='inverted_cdf')), 'p99': float(np.percentile(s, 99, method='inverted_cdf'))}))`,
      { data: Array.from(img.data), w: img.width, h: img.height },
    )
    expect(stats.h).toEqual(want.h)
    expect(stats.n).toBe(224 * 224)
    expect(stats.mean).toBeCloseTo(want.mean, 3)
    expect(stats.std).toBeCloseTo(want.std, 3)
    expect([stats.p1, stats.p99]).toEqual([want.p1, want.p99])
    // A small image is flagged upsampled from its own size, not the sample's.
    expect(describeImage(noiseImage(100, 90), { width: 224, height: 224 }).flags).toContain('upsampled')
    expect(describeImage(img, { width: 224, height: 224 }).flags).not.toContain('upsampled')
  })
})
