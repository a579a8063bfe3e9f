import { describeConfig } from '../config/describe.ts'
import type { LoadedConfig } from '../config/load.ts'
import { openState, type State } from '../state/db.ts'
import { ensureStateDir, resolveStateDir, type StateDirChoice } from '../state/dir.ts'
import { commandConfig, configArg, settingArgs } from './_shared.ts'

/** `--state-dir` (the state.dir setting) and `--config`. */
export const stateArgs = { ...settingArgs('state'), ...configArg }

/** The state folder a command's configuration names, and where that choice came from. */
export function stateDirOf(loaded: LoadedConfig): StateDirChoice {
  const row = describeConfig(loaded).find((r) => r.key === 'state.dir')
  return resolveStateDir({ dir: loaded.config.state.dir, from: row?.from })
}

/** The state directory the configuration names, created when missing, its database open and migrated. */
export const openStateFromArgs = async (args: Record<string, unknown>): Promise<State> => openState(ensureStateDir(stateDirOf(await commandConfig(args))))
