/**
 * Services as systemd units (where systemd is PID 1): xrayops-<name>.service written to
 * /etc/systemd/system (root) or ~/.config/systemd/user (systemctl --user), then enabled and
 * started. Restarted on failure by systemd; `down` stops and removes only these units.
 */
import { execFile } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'
import { XrayError } from '../errors/index.ts'
import type { Runner, ServiceSpec } from './service.ts'

const run = promisify(execFile)

/** True when systemd manages this host (the same test as sd_booted(3)). */
export const systemdRuns = (): boolean => fs.existsSync('/run/systemd/system')

export const unitName = (s: ServiceSpec) => `xrayops-${s.name}.service`

/** A systemd value: quoted when it holds spaces, quotes or backslashes; `%` and `$` escaped. */
const quote = (v: string) => {
  const e = v.replace(/%/g, '%%').replace(/\$/g, '$$$$')
  return /[\s"'\\]/.test(e) ? `"${e.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"` : e
}

/**
 * The unit file's text. System units get a read-only system but for their data and log folders;
 * units of a user's own manager (`user`) cannot set up that sandbox and do without.
 */
export function unitText(s: ServiceSpec, opts: { user: boolean }): string {
  return `# Written by \`xrayops monitoring up\`; removed by \`xrayops monitoring down\`.
[Unit]
Description=xrayops monitoring: ${s.description}
After=network-online.target
Wants=network-online.target

[Service]
Type=simple
ExecStart=${[s.command, ...s.args].map(quote).join(' ')}
ExecReload=/bin/kill -HUP $MAINPID
Restart=on-failure
RestartSec=5s
TimeoutStopSec=30s
StandardOutput=append:${s.logFile.replace(/%/g, '%%')}
StandardError=append:${s.logFile.replace(/%/g, '%%')}
NoNewPrivileges=yes
${opts.user ? '' : `ProtectSystem=strict\nReadWritePaths=${[...s.writable, path.dirname(s.logFile)].map(quote).join(' ')}\n`}
[Install]
WantedBy=${opts.user ? 'default.target' : 'multi-user.target'}
`
}

export const systemdRunner = (opts: { user?: boolean; unitDir?: string } = {}): Runner => {
  const user = opts.user ?? process.getuid?.() !== 0
  const unitDir = opts.unitDir ?? (user ? path.join(os.homedir(), '.config', 'systemd', 'user') : '/etc/systemd/system')
  const systemctl = async (...args: string[]) => {
    try {
      return (await run('systemctl', [...(user ? ['--user'] : []), ...args])).stdout.trim()
    } catch (e) {
      const err = e as { stderr?: string; stdout?: string; message: string }
      throw new XrayError('MONITORING_FAILED', `systemctl ${args.join(' ')}: ${(err.stderr || err.message).trim()}`)
    }
  }
  const mainPid = async (s: ServiceSpec) => {
    if (!fs.existsSync(path.join(unitDir, unitName(s)))) return null
    const pid = Number(await systemctl('show', '--property=MainPID', '--value', unitName(s)).catch(() => '0'))
    return pid > 0 ? pid : null
  }
  return {
    kind: 'systemd',
    running: mainPid,
    async start(s) {
      const file = path.join(unitDir, unitName(s))
      const text = unitText(s, { user })
      const changed = !fs.existsSync(file) || fs.readFileSync(file, 'utf8') !== text
      for (const d of [unitDir, path.dirname(s.logFile), ...s.writable]) fs.mkdirSync(d, { recursive: true })
      if (changed) {
        fs.writeFileSync(file, text)
        await systemctl('daemon-reload')
      }
      const before = await mainPid(s)
      if (before !== null && !changed) {
        await systemctl('reload', unitName(s))
        return { pid: before, reloaded: true }
      }
      await systemctl('enable', unitName(s))
      await systemctl('restart', unitName(s))
      return { pid: await mainPid(s), reloaded: false }
    },
    async stop(s) {
      const file = path.join(unitDir, unitName(s))
      if (!fs.existsSync(file)) return false
      const was = (await mainPid(s)) !== null
      await systemctl('disable', '--now', unitName(s))
      fs.rmSync(file)
      await systemctl('daemon-reload')
      return was
    },
  }
}
