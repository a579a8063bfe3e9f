import { describe, expect, it } from 'vitest'
import { Batcher } from '../../src/inference/batcher.ts'
import { LruCache } from '../../src/inference/cache.ts'
import type { Classification } from '../../src/inference/results.ts'
import { noiseImage } from '../helpers/fixtures.ts'

/** A model stand-in that answers each image with its own width, so mix-ups show. */
const byWidth = (runs: number[]) => async (images: { width: number }[]) => {
  runs.push(images.length)
  await new Promise((r) => setTimeout(r, 5))
  return { results: images.map((i) => ({ score: i.width }) as unknown as Classification), preprocessMs: 1, inferenceMs: 2 }
}

describe('Batcher', () => {
  it('groups concurrent submissions up to maxBatch and hands each caller its own result', async () => {
    const runs: number[] = []
    const b = new Batcher(byWidth(runs), { maxBatch: 4, maxDelayMs: 20 })
    const out = await Promise.all(Array.from({ length: 10 }, (_, i) => b.submit(noiseImage(16 + i, 16))))
    expect(out.map((r) => (r.result as unknown as { score: number }).score)).toEqual(Array.from({ length: 10 }, (_, i) => 16 + i))
    expect(runs).toEqual([4, 4, 2])
    expect(out[0].batchSize).toBe(4)
    expect(b.pending).toBe(0)
  })

  it('runs a lone submission after maxDelayMs, and one at a time with batching off', async () => {
    const runs: number[] = []
    const off = new Batcher(byWidth(runs), { maxBatch: 1, maxDelayMs: 0 })
    await Promise.all([off.submit(noiseImage(20, 16)), off.submit(noiseImage(21, 16))])
    expect(runs).toEqual([1, 1])
    const lone = await new Batcher(byWidth([]), { maxBatch: 8, maxDelayMs: 30 }).submit(noiseImage(22, 16))
    expect(lone.queueMs).toBeGreaterThanOrEqual(25)
  })

  it('rejects every caller of a failed batch, then keeps serving', async () => {
    let fail = true
    const b = new Batcher(
      async (images: { width: number }[]) => {
        if (fail) throw new Error('engine failed')
        return byWidth([])(images)
      },
      { maxBatch: 8, maxDelayMs: 10 },
    )
    const first = await Promise.allSettled([b.submit(noiseImage(16, 16)), b.submit(noiseImage(17, 16))])
    expect(first.map((r) => r.status)).toEqual(['rejected', 'rejected'])
    fail = false
    expect(((await b.submit(noiseImage(18, 16))).result as unknown as { score: number }).score).toBe(18)
  })
})

describe('LruCache', () => {
  it('evicts the least recently used entry; size 0 stores nothing', () => {
    const c = new LruCache<number>(2)
    c.set('a', 1)
    c.set('b', 2)
    expect(c.get('a')).toBe(1) // a is now the most recent
    c.set('c', 3)
    expect([c.get('a'), c.get('b'), c.get('c'), c.size]).toEqual([1, undefined, 3, 2])
    const off = new LruCache<number>(0)
    off.set('a', 1)
    expect([off.get('a'), off.size]).toEqual([undefined, 0])
  })
})
