import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { extractGroup, isSingleExecutable } from './embedded.ts'

/**
 * A folder of files that ship with xrayops (models/, monitoring/, the viewer): in a checkout, the
 * checkout's own folder; in the single executable, the embedded `group` extracted on first use.
 */
export function shippedDir(group: string, folder: string): string {
  const root = isSingleExecutable() ? extractGroup(group) : path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')
  return path.join(root, folder)
}
