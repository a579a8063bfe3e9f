import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import type { GeneratedFile } from '../../src/deploy/systemd/index.ts'
import { tool } from './require.ts'

export const systemdAnalyze = tool('systemd-analyze', 'apt-get install systemd')
export const systemdSysusers = tool('systemd-sysusers', 'apt-get install systemd')

/** systemd's own units (sysinit.target, ...), which `verify` loads as dependencies. */
const hostUnits = ['/usr/lib/systemd/system', '/lib/systemd/system'].find((d) => fs.existsSync(path.join(d, 'sysinit.target')))

/**
 * A throwaway root for `systemd-analyze verify --root`: the files at their real paths, a stub
 * executable at `exec` (verify requires ExecStart's binary to exist), a copy of systemd's own units.
 */
export function unitRoot(files: GeneratedFile[], exec: string): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'xrayops-units-'))
  for (const f of files) {
    fs.mkdirSync(path.dirname(path.join(root, f.path)), { recursive: true })
    fs.writeFileSync(path.join(root, f.path), f.content)
  }
  fs.mkdirSync(path.dirname(path.join(root, exec)), { recursive: true })
  fs.writeFileSync(path.join(root, exec), '#!/bin/sh\nexit 0\n', { mode: 0o755 })
  // A copy, not a link: verify resolves an absolute link inside the root.
  if (hostUnits) fs.cpSync(hostUnits, path.join(root, 'usr/lib/systemd/system'), { recursive: true, verbatimSymlinks: true })
  return root
}

/** `systemd-analyze verify --root=ROOT UNIT`: its exit status and stderr (warnings included). */
export function verifyUnit(root: string, unit: string): { code: number | null; stderr: string } {
  const r = spawnSync('systemd-analyze', ['verify', `--root=${root}`, unit], { encoding: 'utf8', timeout: 60_000 })
  return { code: r.status, stderr: r.stderr.trim() }
}

/** The "Overall exposure level" of `systemd-analyze security --offline` for a unit file below ROOT. */
export function exposure(root: string, unitFile: string): number {
  const r = spawnSync('systemd-analyze', ['security', '--offline=yes', `--root=${root}`, path.join(root, unitFile)], { encoding: 'utf8', timeout: 60_000 })
  const m = /Overall exposure level for \S+: ([\d.]+)/.exec(r.stdout)
  if (!m) throw new Error(`no exposure level in: ${r.stdout}${r.stderr}`)
  return Number(m[1])
}
