/**
 * The state folder (databases, model store, tokens, monitoring data, pid files): the configured
 * state.dir ($XRAYOPS_STATE_DIR), else systemd's $STATE_DIRECTORY (a unit with `StateDirectory=`),
 * else $XDG_STATE_HOME/xrayops, else ~/.local/state/xrayops. Not created here: callers create
 * what they write.
 */
import os from 'node:os'
import path from 'node:path'

export function resolveStateDir(configured?: string, env: NodeJS.ProcessEnv = process.env): string {
  if (configured) return path.resolve(configured)
  const systemd = env.STATE_DIRECTORY?.split(':')[0]
  if (systemd && path.isAbsolute(systemd)) return systemd
  if (env.XDG_STATE_HOME && path.isAbsolute(env.XDG_STATE_HOME)) return path.join(env.XDG_STATE_HOME, 'xrayops')
  return path.join(os.homedir(), '.local', 'state', 'xrayops')
}
