import { execFileSync } from 'node:child_process'
import path from 'node:path'
import { expect, it } from 'vitest'
import { tempDir } from '../helpers/fixtures.ts'
import { describeWith, tool } from '../helpers/require.ts'
import { parsePrometheus, start } from '../helpers/server.ts'

/** df's size and available bytes of the file system holding `dir` (an independent reading). */
const df = (dir: string) => {
  const [size, avail] = execFileSync('df', ['-B1', '--output=size,avail', dir], { encoding: 'utf8' }).trim().split('\n')[1].trim().split(/\s+/).map(Number)
  return { size, avail }
}
/** free(1)'s total and available bytes. */
const free = () => {
  const mem = execFileSync('free', ['-b'], { encoding: 'utf8' }).split('\n').find((l) => l.startsWith('Mem:'))!.trim().split(/\s+/)
  return { total: Number(mem[1]), available: Number(mem[6]) }
}

const procps = { ...tool('free', 'apt-get install procps'), name: 'free and ps' }

describeWith(procps, 'host metrics on /metrics, against free, ps and df', () => {
  it('memory total/available, process RSS, and the disks of the state and log folders agree with free, ps and df', async () => {
    const root = tempDir('host')
    const state = path.join(root, 'state', 'not-created-yet') // measured on its nearest existing parent
    const logFile = path.join(root, 'logs', 'server.log')
    const s = await start({ logging: { file: logFile }, state: { dir: state } }, { load: false })
    try {
      const m = parsePrometheus(await (await fetch(`${s.url}/metrics`)).text())
      const mem = free()
      expect(m.get('xray_host_memory_total_bytes')).toBe(mem.total)
      expect(Math.abs(m.get('xray_host_memory_available_bytes')! - mem.available)).toBeLessThan(mem.total * 0.05)

      const rssPs = Number(execFileSync('ps', ['-o', 'rss=', '-p', String(process.pid)], { encoding: 'utf8' })) * 1024
      const rss = m.get('xray_process_resident_memory_bytes')!
      expect(rss).toBeGreaterThan(rssPs / 2)
      expect(rss).toBeLessThan(rssPs * 2)

      for (const [dir, p] of [['state', state], ['logs', path.dirname(logFile)]]) {
        const d = df(path.dirname(p) === root ? p : root)
        expect(m.get(`xray_disk_total_bytes{dir="${dir}",path="${p}"}`), dir).toBe(d.size)
        const freeBytes = m.get(`xray_disk_free_bytes{dir="${dir}",path="${p}"}`)!
        expect(Math.abs(freeBytes - d.avail), dir).toBeLessThan(512 * 2 ** 20) // others write meanwhile
      }
    } finally {
      await s.close()
    }
  })
})
