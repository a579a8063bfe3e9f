import fs from 'node:fs'
import { statePaths } from './dir.ts'
import { fsyncDir } from './durable.ts'
import { migrate } from './migrate.ts'
import { migrations } from './migrations/index.ts'
import { openSqlite, type Db } from './sqlite.ts'
import { finishSwap } from './swap.ts'

export interface State {
  paths: ReturnType<typeof statePaths>
  db: Db
  close(): void
}

/**
 * Opens (creating when missing) the state database of `dir`, migrated to this build's schema.
 * `dir` must exist (ensureStateDir). A restore interrupted after its commit point is finished
 * first (swap.ts).
 */
export async function openState(dir: string, opts: { busyTimeoutMs?: number } = {}): Promise<State> {
  const paths = statePaths(dir)
  finishSwap(dir)
  if (!fs.existsSync(paths.models)) {
    fs.mkdirSync(paths.models, { recursive: true })
    fsyncDir(dir) // the new folder's entry is on disk before anything is stored in it
  }
  const db = await openSqlite(paths.db, opts.busyTimeoutMs)
  try {
    migrate(db, migrations, paths.db)
  } catch (e) {
    db.close()
    throw e
  }
  return { paths, db, close: () => db.close() }
}
