import { backupDirOf } from '../../../backup/locate.ts'
import type { LoadedConfig } from '../../../config/load.ts'
import { ensureStateDir } from '../../../state/dir.ts'
import { commandConfig } from '../../_shared.ts'
import { stateDirOf } from '../../state.ts'

/** The state folder and the backups folder a command's configuration names. */
export async function backupPlaces(args: Record<string, unknown>): Promise<{ loaded: LoadedConfig; stateDir: string; backupDir: string }> {
  const loaded = await commandConfig(args)
  const stateDir = ensureStateDir(stateDirOf(loaded))
  return { loaded, stateDir, backupDir: backupDirOf(stateDir, loaded.config.backup.dir) }
}

export const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MiB`

export const contentsText = (c: { models: number; audit: number; feedback: number; events: number }) =>
  `${c.models} model version(s), ${c.audit} audit record(s), ${c.feedback} label(s), ${c.events} event(s)`
