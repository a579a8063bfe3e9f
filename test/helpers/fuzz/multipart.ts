/**
 * multipart/form-data framing, right and wrong: boundaries missing, wrong, quoted, too long or
 * inside the data; no closing delimiter; LF instead of CRLF; parts without headers, names or
 * files; more files than the batch limit; a body cut short.
 */
import type { Rng } from './rng.ts'

export const MULTIPART_MUTATIONS = ['valid', 'no-boundary', 'wrong-boundary', 'no-close', 'lf', 'no-headers', 'empty', 'no-file', 'many', 'cut', 'long-boundary', 'garbage'] as const
export type MultipartMutation = (typeof MULTIPART_MUTATIONS)[number]

const enc = (s: string) => new TextEncoder().encode(s)
const cat = (parts: (string | Uint8Array)[]) => new Uint8Array(Buffer.concat(parts.map((p) => (typeof p === 'string' ? enc(p) : p))))

/** One body and its Content-Type for /v1/predict(/batch), holding `images`. */
export function multipartCase(r: Rng, images: Uint8Array[], kind: MultipartMutation, many: boolean): { type: string; body: Uint8Array } {
  const boundary = `fuzz${r.int(1e9)}`
  const field = (i: number) => (many ? `image${i}` : 'image')
  const part = (img: Uint8Array, i: number, nl = '\r\n') =>
    [`--${boundary}${nl}Content-Disposition: form-data; name="${field(i)}"; filename="x${i}.jpeg"${nl}Content-Type: image/jpeg${nl}${nl}`, img, nl]
  const valid = (nl = '\r\n') => cat([...images.flatMap((img, i) => part(img, i, nl)), `--${boundary}--${nl}`])
  const type = `multipart/form-data; boundary=${boundary}`
  switch (kind) {
    case 'valid':
      return { type, body: valid() }
    case 'no-boundary':
      return { type: 'multipart/form-data', body: valid() }
    case 'wrong-boundary':
      return { type: `multipart/form-data; boundary=other${boundary}`, body: valid() }
    case 'no-close':
      return { type, body: cat(images.flatMap((img, i) => part(img, i))) }
    case 'lf':
      return { type, body: valid('\n') }
    case 'no-headers':
      return { type, body: cat([`--${boundary}\r\n\r\n`, images[0]!, `\r\n--${boundary}--\r\n`]) }
    case 'empty':
      return { type, body: r.next() < 0.5 ? new Uint8Array(0) : enc(`--${boundary}--\r\n`) }
    case 'no-file':
      return { type, body: enc(`--${boundary}\r\nContent-Disposition: form-data; name="image"\r\n\r\nnot a file\r\n--${boundary}--\r\n`) }
    case 'many': {
      const n = 1 + r.int(80) // the default limit is 64
      return { type, body: cat([...Array.from({ length: n }, (_, i) => part(images[i % images.length]!, i)).flat(), `--${boundary}--\r\n`]) }
    }
    case 'cut': {
      const b = valid()
      return { type, body: b.subarray(0, r.int(b.length)) }
    }
    case 'long-boundary':
      return { type: `multipart/form-data; boundary="${'b'.repeat(60 + r.int(2000))}"`, body: valid() }
    case 'garbage':
      return { type, body: Uint8Array.from({ length: r.int(5000) }, () => r.int(256)) }
  }
}
