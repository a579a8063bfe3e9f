import { describe, expect, it } from 'vitest'
import { splitToFit } from '../../src/preprocess/gpu/batch-limits.ts'
import { noiseImage } from '../helpers/fixtures.ts'

describe('splitToFit', () => {
  const img = (w: number, h: number) => ({ ...noiseImage(1, 1), width: w, height: h })
  it('keeps a batch whole when its buffers fit one binding', () => {
    const batch = [img(1000, 1000), img(2000, 1500)]
    expect(splitToFit(batch, 224, { maxStorageBufferBindingSize: 128 << 20, maxBufferSize: 256 << 20 })).toEqual([batch])
  })
  it('splits in order where the pixels or the resized rows would exceed it', () => {
    const batch = [img(6000, 6000), img(6000, 6000), img(100, 100), img(6000, 6000)]
    const runs = splitToFit(batch, 224, { maxStorageBufferBindingSize: 64 << 20, maxBufferSize: 256 << 20 })
    expect(runs.map((r) => r.length)).toEqual([1, 2, 1])
    expect(runs.flat()).toEqual(batch)
    const rows = splitToFit([img(10, 10000), img(10, 10000)], 224, { maxStorageBufferBindingSize: 1 << 20, maxBufferSize: 1 << 30 })
    expect(rows.map((r) => r.length)).toEqual([1, 1]) // 10000 rows x 224 x 4 B > 1 MiB each
  })
})
