/**
 * Files that survive a crash: written to a temporary name in the same folder, fsynced, renamed
 * over the final name, then the folder fsynced so the rename itself is on disk. A reader sees the
 * old file or the new one, never a part. Temporary names carry the writer's pid, so a later
 * writer removes the ones a killed process left behind.
 */
import { randomBytes } from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'

const TEMP = /^\..+\.(\d+)-[0-9a-f]{8}\.tmp$/

export function fsyncDir(dir: string): void {
  const fd = fs.openSync(dir, 'r')
  try {
    fs.fsyncSync(fd)
  } finally {
    fs.closeSync(fd)
  }
}

export function writeFileDurable(file: string, data: Uint8Array | string, mode = 0o644): void {
  const dir = path.dirname(file)
  const tmp = path.join(dir, `.${path.basename(file)}.${process.pid}-${randomBytes(4).toString('hex')}.tmp`)
  try {
    const fd = fs.openSync(tmp, 'wx', mode)
    try {
      fs.writeFileSync(fd, data)
      fs.fsyncSync(fd)
    } finally {
      fs.closeSync(fd)
    }
    fs.renameSync(tmp, file)
  } catch (e) {
    fs.rmSync(tmp, { force: true })
    throw e
  }
  fsyncDir(dir)
}

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0)
    return true
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/** Removes temporary files in `dir` whose writer is no longer running; returns their names. */
export function removeAbandonedTemps(dir: string): string[] {
  let names: string[] = []
  try {
    names = fs.readdirSync(dir)
  } catch {
    return []
  }
  const removed: string[] = []
  for (const n of names) {
    const m = TEMP.exec(n)
    if (!m || Number(m[1]) === process.pid || alive(Number(m[1]))) continue
    fs.rmSync(path.join(dir, n), { force: true })
    removed.push(n)
  }
  return removed
}
