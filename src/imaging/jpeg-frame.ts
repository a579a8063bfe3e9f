/** A JPEG's frame header (its first SOFn marker), read without decoding anything. */
export interface JpegFrame {
  /** The SOF marker's low byte: 0xC0 baseline, 0xC1 extended, 0xC2 progressive, ... */
  sof: number
  width: number
  height: number
  components: number
  /** Bits per sample. */
  precision: number
}

const be16 = (b: Uint8Array, i: number) => (b[i]! << 8) | b[i + 1]!

/** The first start-of-frame marker (SOF0-SOF15 but DHT, JPG and DAC), or undefined when there is none before the data ends. */
export function jpegFrame(b: Uint8Array): JpegFrame | undefined {
  if (b.length < 4 || b[0] !== 0xff || b[1] !== 0xd8) return undefined
  let i = 2
  while (i + 9 < b.length) {
    if (b[i] !== 0xff) return undefined
    const marker = b[i + 1]!
    if (marker === 0xff) {
      i++
      continue
    }
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc)
      return { sof: marker, precision: b[i + 4]!, height: be16(b, i + 5), width: be16(b, i + 7), components: b[i + 9]! }
    i += 2 + be16(b, i + 2)
  }
  return undefined
}
