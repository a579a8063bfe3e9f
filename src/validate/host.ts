/** Disk and memory headroom, by the same figures the host metrics export (src/metrics/host.ts). */
import { diskSpace, hostMemory } from '../metrics/host.ts'
import { fail, pass, type ValidationCheck } from './check.ts'

const pct = (x: number) => `${x.toFixed(1)}%`

/** Each folder's file system has at least `minFreePercent` free (a file system shared by several folders is named once). */
export function diskChecks(dirs: Record<string, string>, minFreePercent: number): ValidationCheck[] {
  const out: ValidationCheck[] = []
  for (const [role, dir] of Object.entries(dirs)) {
    const name = `disk ${role}`
    const s = diskSpace(dir)
    if (!s || s.total === 0) {
      out.push(fail(name, `${dir}: the file system cannot be read`))
      continue
    }
    const free = (100 * s.free) / s.total
    const text = `${dir}: ${pct(free)} free (${(s.free / 2 ** 30).toFixed(1)} of ${(s.total / 2 ** 30).toFixed(1)} GiB), at least ${minFreePercent}% wanted`
    out.push(free >= minFreePercent ? pass(name, text) : fail(name, text))
  }
  return out
}

/** At most `maxUsedPercent` of the host's memory in use (MemTotal - MemAvailable). */
export function memoryCheck(maxUsedPercent: number, meminfo?: string): ValidationCheck {
  const m = hostMemory(meminfo)
  const used = (100 * (m.total - m.available)) / m.total
  const text = `${pct(used)} in use (${((m.total - m.available) / 2 ** 30).toFixed(1)} of ${(m.total / 2 ** 30).toFixed(1)} GiB), at most ${maxUsedPercent}% wanted`
  return used <= maxUsedPercent ? pass('memory', text) : fail('memory', text)
}
