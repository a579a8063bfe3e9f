/**
 * The DICOM decoder's refusals. Messages name tags, transfer syntaxes and sizes, never a value
 * read from a text element: a file's patient, study and institution data must not reach an error.
 */
import { XrayError } from '../../errors/index.ts'
import type { TransferSyntax } from './transfer-syntaxes.ts'

/** A DICOM this decoder does not handle (415), with why. */
export const unsupportedDicom = (what: string, details?: Record<string, unknown>) =>
  new XrayError('UNSUPPORTED_FORMAT', `unsupported DICOM: ${what}`, details ? { details } : {})

export const unsupportedTransferSyntax = (ts: TransferSyntax) =>
  unsupportedDicom(`transfer syntax ${ts.uid} (${ts.name}) is not decoded here; send uncompressed, JPEG baseline, JPEG lossless, JPEG-LS, JPEG 2000 or RLE`, {
    transfer_syntax: ts.uid,
    transfer_syntax_name: ts.name,
  })

export const corruptDicom = (what: string, cause?: unknown) => new XrayError('CORRUPT_IMAGE', `DICOM data cannot be decoded: ${what}`, { cause })

export const truncatedDicom = (what: string, cause?: unknown) => new XrayError('TRUNCATED_IMAGE', `DICOM data ends early: ${what}`, { cause })

/** A message for anything a parser or codec threw (dicom-parser throws strings and plain objects, wasm codecs numbers). */
export function describeThrown(e: unknown): string {
  if (e instanceof Error) return e.message
  if (typeof e === 'string') return e
  if (e && typeof e === 'object' && 'exception' in e) return describeThrown((e as { exception: unknown }).exception)
  return 'decoder error'
}

/** A UID as text fit for a message: digits and dots only, bounded. */
export const safeUid = (s: string | undefined): string => {
  const t = (s ?? '').replace(/\0/g, '').trim()
  return /^[0-9.]{1,64}$/.test(t) ? t : '(malformed UID)'
}
