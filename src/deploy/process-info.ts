/** What /proc says about a process: alive, its start time (against pid reuse), its arguments. */
import fs from 'node:fs'

export interface ProcInfo {
  /** Start time in clock ticks after boot (/proc/<pid>/stat field 22): with the pid, names one process for good. */
  started: string
  /** R, S, D, Z (zombie: it has exited), ... */
  state: string
}

export function procInfo(pid: number): ProcInfo | null {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8')
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    return { state: fields[0], started: fields[19] }
  } catch {
    return null
  }
}

/** The process `pid` started at `started` is still running (not a zombie). */
export const stillRunning = (pid: number, started: string): boolean => {
  const p = procInfo(pid)
  return p !== null && p.started === started && p.state !== 'Z' && p.state !== 'X'
}

/** This process's own identity, for locks and pid files. */
export const self = (): { pid: number; started: string } => ({ pid: process.pid, started: procInfo(process.pid)?.started ?? '' })
