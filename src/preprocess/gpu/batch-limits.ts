import type { GrayImage } from '../../imaging/decode.ts'

/** Bytes the preprocessing binds per image: its pixels (4-aligned) and its row-resized rows. */
const cost = (img: GrayImage, outWidth: number) => ({ pixels: (img.width * img.height + 3) & ~3, tmp: img.height * outWidth * 4 })

/**
 * Splits a batch into consecutive runs whose buffers each fit one storage binding on `limits`
 * (lavapipe: 128 MiB; large X-rays are up to 40 MB of pixels each). Order is kept.
 */
export function splitToFit(images: GrayImage[], outWidth: number, limits: { maxStorageBufferBindingSize: number; maxBufferSize: number }): GrayImage[][] {
  const cap = Math.min(limits.maxStorageBufferBindingSize, limits.maxBufferSize)
  const runs: GrayImage[][] = []
  let run: GrayImage[] = []
  let pixels = 0
  let tmp = 0
  for (const img of images) {
    const c = cost(img, outWidth)
    if (run.length && (pixels + c.pixels > cap || tmp + c.tmp > cap)) {
      runs.push(run)
      run = []
      pixels = 0
      tmp = 0
    }
    run.push(img)
    pixels += c.pixels
    tmp += c.tmp
  }
  if (run.length) runs.push(run)
  return runs
}
