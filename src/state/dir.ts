/**
 * The state directory: the SQLite database, the model store and the tokens file. Chosen from, in
 * order: `--state-dir`, $XRAYOPS_STATE_DIR, systemd's $STATE_DIRECTORY (StateDirectory=), then a
 * per-user default, $XDG_STATE_HOME/xrayops or ~/.local/state/xrayops.
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { XrayError } from '../errors/index.ts'

export interface StateDirChoice {
  dir: string
  /** Where the choice came from: `--state-dir`, an environment variable, or `default`. */
  source: string
}

export function resolveStateDir(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): StateDirChoice {
  if (flag) return { dir: path.resolve(flag), source: '--state-dir' }
  if (env.XRAYOPS_STATE_DIR) return { dir: path.resolve(env.XRAYOPS_STATE_DIR), source: 'XRAYOPS_STATE_DIR' }
  // systemd passes a colon-separated list when a unit names several; ours names one.
  const systemd = env.STATE_DIRECTORY?.split(':')[0]
  if (systemd && path.isAbsolute(systemd)) return { dir: systemd, source: 'STATE_DIRECTORY' }
  if (env.XDG_STATE_HOME && path.isAbsolute(env.XDG_STATE_HOME)) return { dir: path.join(env.XDG_STATE_HOME, 'xrayops'), source: 'XDG_STATE_HOME' }
  let home = ''
  try {
    home = os.homedir()
  } catch {}
  if (!home) throw new XrayError('STATE_ERROR', 'no state directory: set --state-dir or XRAYOPS_STATE_DIR (no home directory to default to)')
  return { dir: path.join(home, '.local', 'state', 'xrayops'), source: 'default' }
}

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
