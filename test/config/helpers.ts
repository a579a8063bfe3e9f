import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { XrayError } from '../../src/errors/index.ts'

/** A fresh temporary folder. */
export const tmp = () => mkdtempSync(path.join(tmpdir(), 'xrayops-config-'))

/** Writes `text` to `dir/rel` (folders made as needed) and returns its absolute path. */
export function write(dir: string, rel: string, text: string): string {
  const file = path.join(dir, rel)
  mkdirSync(path.dirname(file), { recursive: true })
  writeFileSync(file, text)
  return file
}

/** The CONFIG_INVALID error `fn` rejects with. */
export async function configError(fn: () => Promise<unknown>): Promise<XrayError> {
  const e = await fn().then(
    () => undefined,
    (err: unknown) => err,
  )
  if (!(e instanceof XrayError) || e.code !== 'CONFIG_INVALID') throw new Error(`expected CONFIG_INVALID, got ${String(e)}`)
  return e
}
