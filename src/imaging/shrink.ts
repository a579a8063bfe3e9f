/**
 * The JPEG shrink-on-load sharp asks of libjpeg (pipeline.cc) for a resize whose shorter side
 * lands on `side` (fit 'outside', never enlarged): the largest of 1/2, 1/4, 1/8 the shrink
 * allows, one step less when the shrink's integer part equals it (sharp avoids libjpeg's
 * rounding there). 1: no shrink-on-load.
 */
export function shrinkOnLoad(width: number, height: number, side: number): 1 | 2 | 4 | 8 {
  const shrink = Math.max(1, Math.min(width, height) / side)
  let f: 1 | 2 | 4 | 8 = shrink >= 8 ? 8 : shrink >= 4 ? 4 : shrink >= 2 ? 2 : 1
  if (f > 1 && Math.trunc(shrink) === f) f = (f / 2) as 1 | 2 | 4
  return f
}
