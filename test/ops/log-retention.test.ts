/**
 * `xrayops logs clean` on real files whose modification times are set by touch(1): exactly the
 * rotated copies older than the cutoff go; live logs (however old), recent copies, a copy a
 * process holds open, and unrelated files stay. Bad durations are usage errors that delete nothing.
 */
import { execFileSync, spawn } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { xrayops } from '../helpers/cli.ts'

let dir: string
let env: Record<string, string>
/** Every file of the site, relative to `dir`, with its age in days, and whether `--older-than 7d` deletes it. */
const files: [string, number, boolean][] = [
  ['logs/model_server.log', 30, false], // logging.file itself: live
  ['logs/model_server.log.1', 10, true],
  ['logs/model_server.log.2.gz', 20, true],
  ['logs/model_server.log-20261101', 30, true],
  ['logs/model_server.log.3', 1, false], // recent
  ['logs/model_server.log.held', 40, false], // open by a process
  ['logs/notes.txt', 30, false], // not a log of ours
  ['logs/other.log.1', 30, false], // not a copy of logging.file
  ['state/logs/gateway.log', 30, false], // a supervised service's live log
  ['state/logs/gateway.log.1', 9, true],
  ['state/logs/model-blue.log.1', 2, false],
  ['state/monitoring/logs/prometheus.log.1', 8, true],
  ['state/xrayops.db', 30, false],
]
let holder: ReturnType<typeof spawn>

const present = () => files.filter(([f]) => fs.existsSync(path.join(dir, f))).map(([f]) => f)
const cli = (args: string[]) => xrayops(['logs', 'clean', ...args], env)

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xrayops-logs-'))
  for (const [f, days] of files) {
    fs.mkdirSync(path.dirname(path.join(dir, f)), { recursive: true })
    fs.writeFileSync(path.join(dir, f), `${f}\n`.repeat(100))
    execFileSync('touch', ['-m', '-d', `${days} days ago`, path.join(dir, f)])
  }
  fs.writeFileSync(path.join(dir, 'config.yaml'), `logging:\n  file: logs/model_server.log\nstate:\n  dir: ${path.join(dir, 'state')}\n`)
  env = { XRAYOPS_CONFIG: path.join(dir, 'config.yaml') }
  holder = spawn('tail', ['-f', path.join(dir, 'logs/model_server.log.held')], { stdio: 'ignore' })
  // The fds change while the child execs tail: a link may vanish between listing and reading it.
  const link = (d: string) => {
    try {
      return fs.readlinkSync(`/proc/${holder.pid}/fd/${d}`)
    } catch {
      return ''
    }
  }
  const fd = () => fs.readdirSync(`/proc/${holder.pid}/fd`).some((d) => link(d).endsWith('model_server.log.held'))
  for (let i = 0; i < 100 && !fd(); i++) await new Promise((r) => setTimeout(r, 50))
})
afterAll(() => {
  if (holder?.pid) process.kill(holder.pid, 'SIGKILL')
  fs.rmSync(dir, { recursive: true, force: true })
})

describe('xrayops logs clean', () => {
  it('refuses durations that are not one (usage error, nothing deleted)', async () => {
    for (const bad of ['7', '7days', '-7d', '0', 'abc', '7d3h', '']) {
      const r = await cli(['--older-than', bad, '--yes'])
      expect(r.code, bad).toBe(1)
      expect(r.stderr + r.stdout, bad).toMatch(/older-than/)
    }
    expect(present()).toEqual(files.map(([f]) => f))
  })

  it('lists exactly the old rotated copies with --dry-run, and needs --yes off a terminal', async () => {
    const expected = files.filter(([, , gone]) => gone).map(([f]) => path.join(dir, f)).sort()
    const dry = await cli(['--older-than', '7d', '--dry-run', '--json'])
    expect(dry.code, dry.stderr).toBe(0)
    const report = JSON.parse(dry.stdout)
    expect(report.old.map((f: { path: string }) => f.path).sort()).toEqual(expected)
    expect(report.kept).toContainEqual({ path: path.join(dir, 'logs/model_server.log.held'), why: 'open by a running process' })
    const noYes = await cli(['--older-than', '7d'])
    expect(noYes.code).toBe(1)
    expect(noYes.stderr).toMatch(/--yes/)
    expect(present()).toEqual(files.map(([f]) => f))
  })

  it('deletes them with --yes, keeping live logs, recent and open copies and other files', async () => {
    const r = await cli(['--older-than', '7d', '--yes'])
    expect(r.code, r.stderr).toBe(0)
    expect(r.stdout).toMatch(/deleted 5 rotated log file\(s\)/)
    expect(present()).toEqual(files.filter(([, , gone]) => !gone).map(([f]) => f))
    // A shorter cutoff now takes the 1- and 2-day-old copies too, never the live ones.
    const again = await cli(['--older-than', '12h', '--yes', '--json'])
    expect(again.code, again.stderr).toBe(0)
    expect(JSON.parse(again.stdout).deleted.map((f: { path: string }) => path.relative(dir, f.path)).sort()).toEqual(['logs/model_server.log.3', 'state/logs/model-blue.log.1'])
    expect(fs.existsSync(path.join(dir, 'logs/model_server.log'))).toBe(true)
    expect(fs.existsSync(path.join(dir, 'state/logs/gateway.log'))).toBe(true)
  })
})
