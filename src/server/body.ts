import type { Context } from 'hono'
import { XrayError } from '../errors/index.ts'
import type { AppEnv } from './context.ts'

/** Raw bodies: any image type (the bytes decide the format) or an untyped byte stream. */
const isRaw = (type: string) => type.startsWith('image/') || type === 'application/octet-stream' || type === 'application/dicom'

const unreadable = (cause: unknown) =>
  cause instanceof XrayError ? cause : new XrayError('BAD_REQUEST', `the request body could not be read: ${(cause as Error).message}`, { cause })

/**
 * The image(s) of a request: a raw image body, or the file fields of a multipart body, in the
 * order they were sent (`image` for a single prediction).
 */
export async function readImages(c: Context<AppEnv>, opts: { many: boolean }): Promise<Uint8Array[]> {
  const type = (c.req.header('content-type') ?? '').split(';')[0].trim().toLowerCase()
  if (isRaw(type)) {
    if (opts.many) throw new XrayError('BAD_REQUEST', 'batch requests are multipart/form-data with one file field per image')
    const read = c.get('body')
    if (read) return [new Uint8Array(read.buffer, read.byteOffset, read.byteLength)]
    try {
      return [new Uint8Array(await c.req.arrayBuffer())]
    } catch (e) {
      throw unreadable(e)
    }
  }
  if (type !== 'multipart/form-data')
    throw new XrayError('UNSUPPORTED_MEDIA_TYPE', `Content-Type ${JSON.stringify(type || '(none)')} is not accepted; send an image (PNG or JPEG) or multipart/form-data`)
  let form: FormData
  try {
    form = await c.req.formData()
  } catch (cause) {
    throw cause instanceof XrayError ? cause : new XrayError('BAD_REQUEST', `the multipart body cannot be parsed: ${(cause as Error).message}`, { cause })
  }
  const files: Uint8Array[] = []
  for (const [name, value] of form.entries()) {
    if (!(value instanceof Blob) || (!opts.many && name !== 'image')) continue
    files.push(new Uint8Array(await value.arrayBuffer()))
    if (!opts.many) break
  }
  if (files.length === 0) throw new XrayError('BAD_REQUEST', opts.many ? 'the multipart body has no file fields' : 'the multipart body has no file field named "image"')
  return files
}

const utf8 = new TextDecoder()

/** A JSON body: from the bytes admitBody read (the prediction routes), else from the Request. Throws on text that is not JSON. */
export async function readJson(c: Context<AppEnv>): Promise<unknown> {
  const read = c.get('body')
  return read ? JSON.parse(utf8.decode(read)) : await c.req.json()
}
