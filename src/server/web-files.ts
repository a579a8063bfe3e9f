import { createHash } from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { extractGroup, isSingleExecutable } from '../runtime/embedded.ts'

/** Group of the viewer's files in the executable (build.config.ts). */
export const WEB_GROUP = 'web'

export interface WebFile {
  body: Uint8Array
  type: string
  /** Strong validator: the content's sha256. */
  etag: string
}

const types: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
}

/** The folder holding the viewer: src/web in a checkout, the extracted copy in the executable. */
const webDir = () => (isSingleExecutable() ? path.join(extractGroup(WEB_GROUP), 'web') : fileURLToPath(new URL('../web/', import.meta.url)))

let files: Map<string, WebFile> | undefined

/** The viewer's files by name, read once (a flat folder; unknown extensions are not served). */
export function webFiles(): Map<string, WebFile> {
  if (files) return files
  const dir = webDir()
  files = new Map()
  for (const name of fs.readdirSync(dir).sort()) {
    const type = types[path.extname(name)]
    if (!type) continue
    const body = new Uint8Array(fs.readFileSync(path.join(dir, name)))
    files.set(name, { body, type, etag: `"${createHash('sha256').update(body).digest('hex').slice(0, 32)}"` })
  }
  return files
}
