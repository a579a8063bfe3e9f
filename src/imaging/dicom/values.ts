/**
 * Bounded readers for element values. dicom-parser's own accessors read past a short element
 * and throw TypeErrors on a missing multi-value index; these return undefined instead.
 */
import type { DataSet, Element } from './dicom-parser.ts'

/** Longest text value read: the image attributes are short code strings and numbers. */
const MAX_TEXT = 1024

const inBounds = (ds: DataSet, el: Element, bytes: number) => el.length >= bytes && el.dataOffset >= 0 && el.dataOffset + bytes <= ds.byteArray.length

/** Unsigned 16-bit value `i` of `tag`, in the data set's byte order. */
export function u16(ds: DataSet, tag: string, i = 0): number | undefined {
  const el = ds.elements[tag]
  if (!el || !inBounds(ds, el, (i + 1) * 2)) return undefined
  return ds.byteArrayParser.readUint16(ds.byteArray, el.dataOffset + i * 2)
}

/** The values of a text element (backslash-separated), trimmed; undefined when absent or empty. */
export function texts(ds: DataSet, tag: string): string[] | undefined {
  const el = ds.elements[tag]
  if (!el || el.length <= 0 || el.length > MAX_TEXT || !inBounds(ds, el, el.length)) return undefined
  let s = ''
  for (let i = 0; i < el.length; i++) s += String.fromCharCode(ds.byteArray[el.dataOffset + i])
  const values = s.replace(/\0+$/, '').split('\\').map((v) => v.trim())
  return values.some((v) => v !== '') ? values : undefined
}

export const text = (ds: DataSet, tag: string, i = 0): string | undefined => texts(ds, tag)?.[i] || undefined

/** A DS or IS value as a finite number; undefined when absent, empty or not a number. */
export function num(ds: DataSet, tag: string, i = 0): number | undefined {
  const s = text(ds, tag, i)
  if (s === undefined || !/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(s)) return undefined
  const n = Number(s)
  return Number.isFinite(n) ? n : undefined
}

/** True when the element is there at all (even empty). */
export const has = (ds: DataSet, tag: string): boolean => tag in ds.elements

/**
 * A code string fit to report: upper-case letters, digits and underscore, at most 16 characters
 * (PS3.5 CS without spaces, as defined terms are). A value that looks like anything else (a name
 * typed into the wrong field: spaces, carets, lower case) is dropped, not repeated.
 */
export function codeString(ds: DataSet, tag: string): string | undefined {
  const s = text(ds, tag)
  return s && /^[A-Z0-9_]{1,16}$/.test(s) ? s : undefined
}
