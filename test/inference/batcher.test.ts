import { describe, expect, it, vi } from 'vitest'
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

  it('runs one at a time with batching off', async () => {
    const runs: number[] = []
    const off = new Batcher(byWidth(runs), { maxBatch: 1, maxDelayMs: 0 })
    await Promise.all([off.submit(noiseImage(20, 16)), off.submit(noiseImage(21, 16))])
    expect(runs).toEqual([1, 1])
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

/** An engine stand-in whose runs finish only when the test says: it records each run's items as it starts. */
function heldEngine() {
  const started: number[][] = []
  const finish: (() => void)[] = []
  const run = (items: number[]) => {
    started.push(items)
    return new Promise<{ results: number[]; preprocessMs: number; inferenceMs: number }>((resolve) =>
      finish.push(() => resolve({ results: items.map((x) => x * 10), preprocessMs: 0, inferenceMs: 0 })),
    )
  }
  return { run, started, finishNext: () => finish.shift()!() }
}

describe('Batcher: start at once when idle, gather while busy', () => {
  it('starts a lone submission on the spot, before any timer could run (no window)', () => {
    const e = heldEngine()
    const b = new Batcher(e.run, { maxBatch: 16, maxDelayMs: 0 })
    void b.submit(1)
    // Still inside the same synchronous turn as submit(): no setTimeout, setImmediate or microtask has run.
    expect(e.started).toEqual([[1]])
    expect(b.pending).toBe(0)
  })

  it('gathers submissions that arrive while the engine is busy into the next run', async () => {
    const e = heldEngine()
    const b = new Batcher(e.run, { maxBatch: 16, maxDelayMs: 0 })
    const first = b.submit(1)
    const rest = [2, 3, 4].map((x) => b.submit(x))
    expect(e.started).toEqual([[1]]) // busy: no second run starts
    expect(b.pending).toBe(3)
    e.finishNext()
    expect((await first).result).toBe(10)
    expect(e.started).toEqual([[1], [2, 3, 4]]) // the moment the engine freed, all waiting ones started together
    e.finishNext()
    const out = await Promise.all(rest)
    expect(out.map((r) => [r.result, r.batchSize])).toEqual([[20, 3], [30, 3], [40, 3]])
  })

  it('caps a gathered batch at maxBatch and keeps the rest for the next run', async () => {
    const e = heldEngine()
    const b = new Batcher(e.run, { maxBatch: 4, maxDelayMs: 0 })
    const all = Array.from({ length: 10 }, (_, i) => b.submit(i))
    expect(e.started).toEqual([[0]])
    for (let k = 0; k < 4; k++) {
      e.finishNext()
      await new Promise((r) => setImmediate(r))
    }
    await Promise.all(all)
    expect(e.started).toEqual([[0], [1, 2, 3, 4], [5, 6, 7, 8], [9]])
  })

  it('fills every run slot of a multi-worker engine before gathering', () => {
    const e = heldEngine()
    const b = new Batcher(e.run, { maxBatch: 8, maxDelayMs: 0 }, 2)
    for (const x of [1, 2, 3, 4]) void b.submit(x)
    expect(e.started).toEqual([[1], [2]])
    expect([b.busy, b.pending]).toEqual([2, 2])
  })

  it('with a window set, an idle engine waits for it (or for a full batch)', async () => {
    vi.useFakeTimers()
    try {
      const e = heldEngine()
      const b = new Batcher(e.run, { maxBatch: 3, maxDelayMs: 50 })
      void b.submit(1)
      expect(e.started).toEqual([])
      vi.advanceTimersByTime(50)
      expect(e.started).toEqual([[1]])
      e.finishNext()
      await vi.runAllTimersAsync()
      for (const x of [2, 3, 4]) void b.submit(x)
      expect(e.started).toEqual([[1], [2, 3, 4]]) // full: no wait
    } finally {
      vi.useRealTimers()
    }
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
