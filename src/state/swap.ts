/**
 * Replacing the state folder's contents (database, model store, tokens) with a staged copy, all
 * or nothing across a crash. The staged copy sits in a folder inside the state folder (same file
 * system, so every move is a rename). The journal file is the commit point: before it is on disk
 * nothing has changed; once it is, every later open of the state (openState) finishes the swap
 * before it touches the database. Each step can be repeated, so a crash during the finish is
 * finished again by the next open.
 */
import fs from 'node:fs'
import path from 'node:path'
import { fsyncDir, writeFileDurable } from './durable.ts'

/** What a swap replaces. The WAL and shared-memory files of the old database go with it. */
export const SWAPPED = ['xrayops.db', 'xrayops.db-wal', 'xrayops.db-shm', 'models', 'tokens.json'] as const

export const JOURNAL = 'restore-journal.json'

interface Journal {
  /** The staging folder (its `new/` holds the incoming items), relative to the state folder. */
  staging: string
  /** The items `new/` holds; any other of SWAPPED is moved away (an old WAL must never meet a new database). */
  items: string[]
  at: string
  from: string
}

const exists = (p: string) => fs.existsSync(p)

/**
 * Commits the swap of `stagingDir/new/*` into `dir` and finishes it. `stagingDir` must be a
 * folder directly inside `dir`, its files synced.
 */
export function commitSwap(dir: string, stagingDir: string, from: string): void {
  if (path.dirname(path.resolve(stagingDir)) !== path.resolve(dir)) throw new Error(`the staging folder ${stagingDir} is not inside ${dir}`)
  const items = SWAPPED.filter((i) => exists(path.join(stagingDir, 'new', i)))
  const journal: Journal = { staging: path.basename(stagingDir), items, at: new Date().toISOString(), from }
  writeFileDurable(path.join(dir, JOURNAL), `${JSON.stringify(journal, null, 2)}\n`, 0o600)
  finishSwap(dir)
}

/** Finishes a committed swap, if the journal says one is pending; returns whether one was. */
export function finishSwap(dir: string): boolean {
  const file = path.join(dir, JOURNAL)
  let j: Journal
  try {
    j = JSON.parse(fs.readFileSync(file, 'utf8')) as Journal
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return false
    throw new Error(`${file} cannot be read (${(e as Error).message}): an interrupted restore; run xrayops restore again`)
  }
  const staging = path.join(dir, path.basename(j.staging))
  const incoming = path.join(staging, 'new')
  const old = path.join(staging, 'old')
  fs.mkdirSync(old, { recursive: true })
  for (const item of SWAPPED) {
    const cur = path.join(dir, item)
    const next = path.join(incoming, item)
    // An item already swapped has left new/: nothing more to do for it.
    if (j.items.includes(item) && !exists(next)) continue
    if (exists(cur)) fs.renameSync(cur, exists(path.join(old, item)) ? path.join(old, `${item}.${Date.now()}`) : path.join(old, item))
    if (j.items.includes(item)) fs.renameSync(next, cur)
  }
  fsyncDir(dir)
  fs.rmSync(file)
  fsyncDir(dir)
  fs.rmSync(staging, { recursive: true, force: true })
  return true
}
