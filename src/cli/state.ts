import type { ArgDef } from 'citty'
import { openState, type State } from '../state/db.ts'
import { ensureStateDir, resolveStateDir } from '../state/dir.ts'

export const stateArgs = {
  'state-dir': {
    type: 'string',
    description: 'state directory (default: $XRAYOPS_STATE_DIR, else systemd $STATE_DIRECTORY, else $XDG_STATE_HOME/xrayops or ~/.local/state/xrayops)',
  },
} as const satisfies Record<string, ArgDef>

/** The state directory the flags and environment name, created when missing, its database open and migrated. */
export const openStateFromArgs = (args: { 'state-dir'?: string }): Promise<State> => openState(ensureStateDir(resolveStateDir(args['state-dir'])))
