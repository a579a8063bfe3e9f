/**
 * The host and backup checks of `xrayops validate` on real folders, with figures from an
 * independent source (df(1), a given /proc/meminfo text, folder names), and a damaged state
 * database reported as a failed check rather than a crash.
 */
import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { backupCheck } from '../../src/validate/backups.ts'
import { diskChecks, memoryCheck } from '../../src/validate/host.ts'
import { xrayops } from '../helpers/cli.ts'
import { tempDir } from '../helpers/fixtures.ts'
import { freePort } from '../helpers/process.ts'

describe('validate: host and backup checks', () => {
  it('disk: the free share df reports, against the threshold', () => {
    const dir = tempDir('validate-disk')
    const [avail, size] = execFileSync('df', ['--output=avail,size', '-B1', dir], { encoding: 'utf8' }).trim().split('\n')[1]!.trim().split(/\s+/).map(Number)
    const free = (100 * avail!) / size!
    const [ok] = diskChecks({ state: dir }, Math.floor(free) - 1)
    expect(ok).toMatchObject({ name: 'disk state', status: 'pass' })
    expect(Math.abs(Number(/([\d.]+)% free/.exec(ok!.detail)![1]) - free)).toBeLessThan(0.2)
    expect(diskChecks({ state: dir }, Math.ceil(free) + 1)[0]!.status).toBe('fail')
  })

  it('memory: MemTotal - MemAvailable over MemTotal', () => {
    const meminfo = 'MemTotal:        1000000 kB\nMemFree:          20000 kB\nMemAvailable:      50000 kB\n'
    expect(memoryCheck(90, meminfo)).toMatchObject({ status: 'fail', detail: expect.stringMatching(/^95\.0% in use/) })
    expect(memoryCheck(95, meminfo).status).toBe('pass')
  })

  it('backups: the newest complete one against backup_max_age; partial folders do not count', () => {
    const dir = tempDir('validate-backups')
    const now = Date.parse('2026-12-01T12:00:00Z')
    expect(backupCheck(dir, 3_600_000, now)).toMatchObject({ status: 'fail', detail: expect.stringMatching(/no complete backup/) })
    fs.mkdirSync(path.join(dir, '20261201T100000Z')) // no manifest: incomplete
    fs.mkdirSync(path.join(dir, '20261130T120000Z'))
    fs.writeFileSync(path.join(dir, '20261130T120000Z', 'manifest.json'), '{}')
    expect(backupCheck(dir, 26 * 3_600_000, now)).toMatchObject({ status: 'pass', detail: expect.stringMatching(/20261130T120000Z .* 24\.0 h old/) })
    expect(backupCheck(dir, 23 * 3_600_000, now).status).toBe('fail')
    expect(backupCheck(dir, 0, now).status).toBe('skip')
  })

  it('a damaged state database is a failed check and exit 1, not a crash', async () => {
    const state = tempDir('validate-state')
    fs.writeFileSync(path.join(state, 'xrayops.db'), Buffer.alloc(70_000, 0x42))
    const r = await xrayops(['validate', '--json', '--url', `http://127.0.0.1:${await freePort()}`], { XRAYOPS_STATE_DIR: state, XRAYOPS_CONFIG: '' })
    expect(r.code).toBe(1)
    const checks = JSON.parse(r.stdout).checks as { name: string; status: string; detail: string }[]
    expect(checks[0]).toMatchObject({ name: 'state database', status: 'fail', detail: expect.stringMatching(/not a database/) })
    expect(checks.find((c) => c.name === 'model server health')).toMatchObject({ status: 'fail', detail: expect.stringMatching(/refused/) })
  })
})
