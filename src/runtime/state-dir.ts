/**
 * The state folder (SQLite database, model store, tokens, monitoring data): the configured
 * state.dir ($XRAYOPS_STATE_DIR, --state-dir, config.yaml), else systemd's $STATE_DIRECTORY (a
 * unit with `StateDirectory=`), else $XDG_STATE_HOME/xrayops, else ~/.local/state/xrayops.
 * Not created here: callers create what they write.
 */
import os from 'node:os'
import path from 'node:path'
import { XrayError } from '../errors/index.ts'

export interface StateDirChoice {
  dir: string
  /** Where the choice came from: the setting's origin (`flag --state-dir`, `env XRAYOPS_STATE_DIR`...), or a fallback's name. */
  source: string
}

export function resolveStateDir(configured?: { dir?: string; from?: string }, env: NodeJS.ProcessEnv = process.env): StateDirChoice {
  if (configured?.dir) return { dir: path.resolve(configured.dir), source: configured.from ?? 'state.dir' }
  // systemd passes a colon-separated list when a unit names several; ours names one.
  const systemd = env.STATE_DIRECTORY?.split(':')[0]
  if (systemd && path.isAbsolute(systemd)) return { dir: systemd, source: 'STATE_DIRECTORY' }
  if (env.XDG_STATE_HOME && path.isAbsolute(env.XDG_STATE_HOME)) return { dir: path.join(env.XDG_STATE_HOME, 'xrayops'), source: 'XDG_STATE_HOME' }
  let home = ''
  try {
    home = os.homedir()
  } catch {}
  if (!home) throw new XrayError('STATE_ERROR', 'no state directory: set state.dir (--state-dir or XRAYOPS_STATE_DIR); there is no home directory to default to')
  return { dir: path.join(home, '.local', 'state', 'xrayops'), source: 'default' }
}
