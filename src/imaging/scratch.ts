/**
 * Byte buffers the JPEG walk and its reduced decode reuse from one image to the next, so that an
 * X-ray's few hundred kilobytes of scan data and pixels are not allocated afresh per request
 * (under load, freed blocks of that size stay in glibc's heap and the process grows). A decode
 * takes what it needs and gives it back when done; decodes in flight at once each hold their
 * own, and at most KEEP buffers of up to MAX_KEEP bytes wait here between them.
 */
const KEEP = 4
const MAX_KEEP = 8 << 20
const free: Uint8Array[] = []

/** A buffer of at least `size` bytes (its content is left over from earlier use). */
export function takeBytes(size: number): Uint8Array {
  let best = -1
  for (let i = 0; i < free.length; i++) if (free[i]!.length >= size && (best < 0 || free[i]!.length < free[best]!.length)) best = i
  if (best >= 0) return free.splice(best, 1)[0]!
  return new Uint8Array(size + (size >> 3)) // room for a slightly larger image next time
}

/** Hands a buffer from takeBytes back; nothing may use it afterwards. */
export function giveBytes(b: Uint8Array): void {
  if (b.length > MAX_KEEP) return
  if (free.length >= KEEP) free.shift()
  free.push(b)
}
