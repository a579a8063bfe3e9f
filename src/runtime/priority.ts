/**
 * Thread priorities (Linux). A server's event loop accepts connections, reads bodies, refuses what
 * does not fit and answers health checks; the model (onnxruntime) and the decoders (libvips) are
 * the heavy compute. On a host whose cores the compute fills, threads of equal priority share the
 * cores evenly, the event loop falls behind, and connections wait in the kernel's accept queue
 * until it overflows. With the compute at a lower priority (a higher niceness) the event loop gets
 * a core whenever it has work, and the compute takes the rest: the same work is done.
 *
 * Niceness is per thread on Linux (setpriority on a thread id), and a thread inherits its
 * creator's. Raising it needs no privilege. Elsewhere these functions change nothing.
 */
import { readdirSync, readFileSync, readlinkSync } from 'node:fs'
import os from 'node:os'

/** The calling thread's id (Linux), from /proc/thread-self -> "<pid>/task/<tid>". */
function threadId(): number | undefined {
  try {
    const tid = Number(readlinkSync('/proc/thread-self').split('/').pop())
    return Number.isInteger(tid) && tid > 0 ? tid : undefined
  } catch {
    return undefined
  }
}

function setNice(tid: number, nice: number): boolean {
  try {
    os.setPriority(tid, nice)
    return true
  } catch {
    return false // the thread ended, or no /proc
  }
}

/** Gives the calling thread, and the threads it starts from now on, niceness `nice` (> 0); returns whether it could. */
export function niceThisThread(nice: number): boolean {
  const tid = nice > 0 ? threadId() : undefined
  return tid !== undefined && setNice(tid, nice)
}

/** The ids of this process's threads whose name is `name`, with the niceness they have now. */
export function threadsNamed(name: string): { tid: number; nice: number }[] {
  let tids: string[]
  try {
    tids = readdirSync('/proc/self/task')
  } catch {
    return []
  }
  const found: { tid: number; nice: number }[] = []
  for (const t of tids) {
    try {
      if (readFileSync(`/proc/self/task/${t}/comm`, 'utf8').trim() !== name) continue
      found.push({ tid: Number(t), nice: os.getPriority(Number(t)) })
    } catch {
      // the thread ended meanwhile
    }
  }
  return found
}

/**
 * Keeps this process's threads named `name` at niceness `nice`: now and every `everyMs`, since a
 * thread pool (libvips' workers) starts threads when work first needs them. Returns the stop
 * function; with `nice` 0 or off Linux it does nothing.
 */
export function keepThreadsNice(name: string, nice: number, everyMs = 1_000): () => void {
  if (nice <= 0 || os.platform() !== 'linux') return () => undefined
  const scan = () => {
    for (const t of threadsNamed(name)) if (t.nice < nice) setNice(t.tid, nice)
  }
  scan()
  const timer = setInterval(scan, everyMs)
  timer.unref()
  return () => clearInterval(timer)
}
