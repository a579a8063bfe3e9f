/**
 * VOI functions (PS3.3 C.11.2.1.2-3) onto the output range 0..255, unrounded. `x` is the
 * Modality LUT's output.
 */
import { lookup } from './lut.ts'
import type { VoiTransform } from './presentation.ts'

const Y_MAX = 255

export function windowLinear(x: number, c: number, w: number): number {
  if (x <= c - 0.5 - (w - 1) / 2) return 0
  if (x > c - 0.5 + (w - 1) / 2) return Y_MAX
  return ((x - (c - 0.5)) / (w - 1) + 0.5) * Y_MAX
}

export function windowLinearExact(x: number, c: number, w: number): number {
  if (x <= c - w / 2) return 0
  if (x > c + w / 2) return Y_MAX
  return ((x - c) / w + 0.5) * Y_MAX
}

export const windowSigmoid = (x: number, c: number, w: number): number => Y_MAX / (1 + Math.exp((-4 * (x - c)) / w))

/** The VOI transform as a function; `range` is [min, max] of the image's values for the `range` kind. */
export function voiFunction(voi: VoiTransform, range: [number, number]): (x: number) => number {
  switch (voi.kind) {
    case 'lut': {
      const scale = Y_MAX / (2 ** voi.lut.bits - 1)
      return (x) => lookup(voi.lut, x) * scale
    }
    case 'window': {
      const { center: c, width: w } = voi
      if (voi.fn === 'LINEAR_EXACT') return (x) => windowLinearExact(x, c, w)
      if (voi.fn === 'SIGMOID') return (x) => windowSigmoid(x, c, w)
      return (x) => windowLinear(x, c, w)
    }
    case 'range': {
      const [lo, hi] = range
      return hi > lo ? (x) => ((x - lo) * Y_MAX) / (hi - lo) : () => 0
    }
  }
}
