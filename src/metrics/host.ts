/**
 * Host metrics read at scrape time, so the memory and disk alerts work without node_exporter:
 * the host's memory (total, available) and the file systems holding the folders we write to.
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { Gauge, type Registry } from 'prom-client'
import { resolveStateDir } from '../runtime/state-dir.ts'
import { M } from './names.ts'

export interface HostMetricsOptions {
  /** Folders whose file systems are reported, by role (the `dir` label): `{ state, logs }`. */
  dirs: Record<string, string>
}

/** The default folders: the state folder, and the log file's folder when logs go to a file. */
export const defaultHostDirs = (logFile?: string, stateDir = resolveStateDir().dir): Record<string, string> => ({
  state: stateDir,
  ...(logFile ? { logs: path.dirname(path.resolve(logFile)) } : {}),
})

/** Total and available bytes: MemTotal and MemAvailable from /proc/meminfo; os figures elsewhere. */
export function hostMemory(meminfo = readText('/proc/meminfo')): { total: number; available: number } {
  const kib = (key: string) => {
    const m = meminfo ? new RegExp(`^${key}:\\s+(\\d+) kB$`, 'm').exec(meminfo) : null
    return m ? Number(m[1]) * 1024 : null
  }
  return { total: kib('MemTotal') ?? os.totalmem(), available: kib('MemAvailable') ?? os.freemem() }
}

/**
 * Size and free bytes of the file system holding `dir` (or its nearest existing parent, for a
 * folder not created yet). Free is what an unprivileged process can still write (df's "Avail").
 */
export function diskSpace(dir: string): { total: number; free: number } | null {
  for (let d = path.resolve(dir); ; d = path.dirname(d)) {
    try {
      const s = fs.statfsSync(d)
      return { total: s.blocks * s.bsize, free: s.bavail * s.bsize }
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT' || d === path.dirname(d)) return null
    }
  }
}

function readText(file: string): string | null {
  try {
    return fs.readFileSync(file, 'utf8')
  } catch {
    return null
  }
}

/** Registers the host gauges on `registry`; each reads its figure when Prometheus scrapes. */
export function registerHostMetrics(registry: Registry, opts: HostMetricsOptions): void {
  const registers = [registry]
  new Gauge({ name: M.hostMemoryTotal, help: 'Memory of the host (MemTotal)', registers, collect() { this.set(hostMemory().total) } })
  new Gauge({ name: M.hostMemoryAvailable, help: 'Memory available to start new work without swapping (MemAvailable)', registers, collect() { this.set(hostMemory().available) } })
  const dirs = Object.entries(opts.dirs).map(([role, dir]) => ({ role, dir: path.resolve(dir) }))
  const disk = (name: string, help: string, pick: (s: { total: number; free: number }) => number) =>
    new Gauge({
      name,
      help,
      labelNames: ['dir', 'path'],
      registers,
      collect() {
        this.reset()
        for (const { role, dir } of dirs) {
          const s = diskSpace(dir)
          if (s) this.set({ dir: role, path: dir }, pick(s))
        }
      },
    })
  disk(M.diskTotal, 'Size of the file system holding the folder', (s) => s.total)
  disk(M.diskFree, 'Bytes an unprivileged process can still write on the file system holding the folder', (s) => s.free)
}
