/** One full garbage collection once the server has been quiet after work: the burst's Buffers are freed. */
import { expect, it } from 'vitest'
import { collectWhenQuiet } from '../../src/runtime/idle-gc.ts'

const MiB = 2 ** 20

it('collects once after a quiet spell that follows work, and frees the Buffers left by the burst', async () => {
  let last = 0
  const collections: number[] = []
  const stop = collectWhenQuiet(() => last, 200, 50, (ms) => collections.push(ms))
  try {
    // Quiet from the start, no work yet: nothing to collect.
    await new Promise((r) => setTimeout(r, 400))
    expect(collections).toHaveLength(0)
    // A burst: 256 MiB of request-sized Buffers, then dropped.
    let held: Buffer[] | undefined = Array.from({ length: 256 }, () => Buffer.alloc(MiB, 1))
    last = Date.now()
    const during = process.memoryUsage().arrayBuffers
    expect(during).toBeGreaterThan(256 * MiB)
    held = undefined
    await expect.poll(() => collections.length, { timeout: 5_000 }).toBe(1)
    expect(held).toBeUndefined()
    // The backing stores are released by V8's sweeper, just after the collection.
    await expect.poll(() => process.memoryUsage().arrayBuffers, { timeout: 2_000 }).toBeLessThan(during - 200 * MiB)
    // Still quiet: no second collection until work comes again.
    await new Promise((r) => setTimeout(r, 500))
    expect(collections).toHaveLength(1)
    last = Date.now()
    await expect.poll(() => collections.length, { timeout: 5_000 }).toBe(2)
  } finally {
    stop()
  }
})
