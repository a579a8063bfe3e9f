/** Paths inside the state directory, and creating it (src/runtime/state-dir.ts chooses it). */
import fs from 'node:fs'
import path from 'node:path'
import { XrayError } from '../errors/index.ts'
import type { StateDirChoice } from '../runtime/state-dir.ts'

export { resolveStateDir, type StateDirChoice } from '../runtime/state-dir.ts'

/** Paths inside a state directory. */
export const statePaths = (dir: string) => ({
  dir,
  db: path.join(dir, 'xrayops.db'),
  models: path.join(dir, 'models'),
  tokens: path.join(dir, 'tokens.json'),
})

/** Creates the directory (mode 0700: it holds token hashes) when missing and checks it is writable. */
export function ensureStateDir(choice: StateDirChoice): string {
  try {
    fs.mkdirSync(choice.dir, { recursive: true, mode: 0o700 })
    fs.accessSync(choice.dir, fs.constants.W_OK | fs.constants.X_OK)
  } catch (cause) {
    throw new XrayError('STATE_ERROR', `state directory ${choice.dir} (from ${choice.source}) cannot be used: ${(cause as Error).message}`, { cause })
  }
  return choice.dir
}
