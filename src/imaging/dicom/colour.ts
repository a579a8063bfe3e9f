/**
 * Colour DICOM pixels -> interleaved 8-bit RGB. YBR_FULL is converted with PS3.3 C.7.6.3.1.2's
 * equations; the JPEG and JPEG 2000 decoders already hand out RGB for YBR_FULL_422 (lossy JPEG)
 * and YBR_ICT/YBR_RCT (JPEG 2000's component transform).
 */
import type { ImageAttributes } from './attributes.ts'
import { corruptDicom, unsupportedDicom } from './errors.ts'
import type { Codec } from './transfer-syntaxes.ts'

/** What the decoded samples hold, per the photometric interpretation and the codec. */
export function decodedColourSpace(codec: Codec, photometric: ImageAttributes['photometric']): 'rgb' | 'ybr' {
  if (photometric === 'RGB') return 'rgb'
  if (codec === 'jpeg') return 'rgb' // libjpeg converts YCbCr to RGB, as dcmtk's dcmdjpeg does by default
  if (photometric === 'YBR_ICT' || photometric === 'YBR_RCT') {
    if (codec !== 'jpeg2000') throw corruptDicom(`${photometric} outside JPEG 2000`)
    return 'rgb'
  }
  if (photometric === 'YBR_FULL_422') throw unsupportedDicom('YBR_FULL_422 outside lossy JPEG is not decoded')
  return 'ybr'
}

const clamp = (v: number) => (v < 0 ? 0 : v > 255 ? 255 : Math.round(v))

/** 3 samples per pixel, interleaved or planar, RGB or YBR_FULL -> interleaved RGB. */
export function toRgb(samples: Uint8Array, pixels: number, planar: boolean, space: 'rgb' | 'ybr'): Uint8Array {
  if (samples.length < pixels * 3) throw corruptDicom('colour frame too short')
  const out = new Uint8Array(pixels * 3)
  const step = planar ? 1 : 3
  const o1 = planar ? pixels : 1
  const o2 = planar ? 2 * pixels : 2
  for (let i = 0, s = 0, j = 0; i < pixels; i++, s += step, j += 3) {
    const a = samples[s]
    const b = samples[s + o1]
    const c = samples[s + o2]
    if (space === 'rgb') {
      out[j] = a
      out[j + 1] = b
      out[j + 2] = c
    } else {
      out[j] = clamp(a + 1.402 * (c - 128))
      out[j + 1] = clamp(a - 0.344136 * (b - 128) - 0.714136 * (c - 128))
      out[j + 2] = clamp(a + 1.772 * (b - 128))
    }
  }
  return out
}
