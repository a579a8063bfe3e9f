export type ImageFormat = 'png' | 'jpeg' | 'dicom'

const startsWith = (b: Uint8Array, sig: number[], at = 0) => sig.every((v, i) => b[at + i] === v)

/** Names the container by its magic bytes; `null` when it is not one we decode. */
export function sniffFormat(b: Uint8Array): ImageFormat | null {
  if (startsWith(b, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'png'
  if (startsWith(b, [0xff, 0xd8, 0xff])) return 'jpeg'
  // DICOM Part 10: a 128-byte preamble, then "DICM".
  if (b.length > 132 && startsWith(b, [0x44, 0x49, 0x43, 0x4d], 128)) return 'dicom'
  return null
}

/** A human name for formats we recognise but do not decode, for error messages. */
export function describeUnsupported(b: Uint8Array): string {
  if (startsWith(b, [0x47, 0x49, 0x46, 0x38])) return 'GIF'
  if (startsWith(b, [0x42, 0x4d])) return 'BMP'
  if (startsWith(b, [0x52, 0x49, 0x46, 0x46]) && startsWith(b, [0x57, 0x45, 0x42, 0x50], 8)) return 'WebP'
  if (startsWith(b, [0x49, 0x49, 0x2a, 0x00]) || startsWith(b, [0x4d, 0x4d, 0x00, 0x2a])) return 'TIFF'
  if (startsWith(b, [0x25, 0x50, 0x44, 0x46])) return 'PDF'
  return 'unknown'
}
