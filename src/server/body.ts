import type { Context } from 'hono'
import { XrayError } from '../errors/index.ts'

const rawTypes = ['image/png', 'image/jpeg', 'image/jpg', 'application/octet-stream', 'application/dicom']

const fileBytes = async (v: unknown): Promise<Uint8Array | undefined> =>
  v instanceof Blob ? new Uint8Array(await v.arrayBuffer()) : undefined

/** The image(s) of a request: a raw image body, or multipart fields (`image` / any file field). */
export async function readImages(c: Context, opts: { many: boolean }): Promise<Uint8Array[]> {
  const type = (c.req.header('content-type') ?? '').split(';')[0].trim().toLowerCase()
  if (rawTypes.includes(type)) {
    if (opts.many) throw new XrayError('BAD_REQUEST', 'batch requests are multipart/form-data with one file field per image')
    return [new Uint8Array(await c.req.arrayBuffer())]
  }
  if (type !== 'multipart/form-data')
    throw new XrayError('UNSUPPORTED_MEDIA_TYPE', `Content-Type ${JSON.stringify(type || '(none)')} is not accepted; send image/png, image/jpeg or multipart/form-data`)
  let form: Record<string, unknown>
  try {
    form = await c.req.parseBody({ all: true })
  } catch (cause) {
    throw new XrayError('BAD_REQUEST', `the multipart body cannot be parsed: ${(cause as Error).message}`, { cause })
  }
  if (!opts.many) {
    const field = form.image
    const bytes = await fileBytes(Array.isArray(field) ? field[0] : field)
    if (!bytes) throw new XrayError('BAD_REQUEST', 'the multipart body has no file field named "image"')
    return [bytes]
  }
  const files: Uint8Array[] = []
  for (const v of Object.values(form)) for (const item of Array.isArray(v) ? v : [v]) {
    const b = await fileBytes(item)
    if (b) files.push(b)
  }
  if (files.length === 0) throw new XrayError('BAD_REQUEST', 'the multipart body has no file fields')
  return files
}
