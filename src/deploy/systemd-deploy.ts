/**
 * `--systemd`: the units of `xrayops systemd install` run the services, driven with systemctl
 * (SystemctlRunner). Deploying a colour writes its environment file (HOST, PORT, MODEL_PATH),
 * then `systemctl restart xrayops-model@<colour>.service` returns once ExecStartPost's health
 * wait says ready. Refused, saying why, where systemd does not run or the units are missing.
 */
import fs from 'node:fs'
import path from 'node:path'
import { XrayError } from '../errors/index.ts'
import { writeFileDurable } from '../state/durable.ts'
import { healthPort } from '../config/health-port.ts'
import { systemdBooted } from './systemctl.ts'
import { systemdDefaults, UNIT } from './systemd/index.ts'

export interface SystemdTarget {
  /** Folder of the colours' environment files (`xrayops systemd install --config-dir`). */
  configDir: string
  unitDir: string
  /** The systemctl program (default: systemctl on the PATH). */
  systemctl?: string
  /** Where sd_booted(3) looks: /run/systemd/system. */
  runDir?: string
}

export const systemdTarget = (o: Partial<SystemdTarget> = {}): SystemdTarget => ({ configDir: systemdDefaults().configDir, unitDir: '/etc/systemd/system', ...o })

/** Throws SERVICE_FAILED saying why `--systemd` cannot work here. */
export function checkSystemd(t: SystemdTarget): void {
  if (!systemdBooted(t.runDir))
    throw new XrayError(
      'SERVICE_FAILED',
      `--systemd: systemd is not running on this host (no ${t.runDir ?? '/run/systemd/system'}), so there are no units to drive; run without --systemd and xrayops supervises the processes itself`,
    )
  const missing = [UNIT.gateway, UNIT.model].filter((u) => !fs.existsSync(path.join(t.unitDir, u)))
  if (missing.length) throw new XrayError('SERVICE_FAILED', `--systemd: ${missing.join(' and ')} ${missing.length > 1 ? 'are' : 'is'} not installed in ${t.unitDir}; run \`sudo xrayops systemd install --yes\` first`)
}

/** The environment file of one colour, as `xrayops-model@<colour>.service` reads it. */
export function colourEnvironment(t: SystemdTarget, colour: string, v: { host: string; port: number; modelPath: string }): { path: string; content: string } {
  if (/[\s"'\\$%]/.test(v.modelPath)) throw new XrayError('CONFIG_INVALID', `the model path ${JSON.stringify(v.modelPath)} cannot go into a systemd environment file (spaces, quotes, $ or %)`)
  return {
    path: path.join(t.configDir, `model-${colour}.env`),
    content: [
      `# xrayops-model@${colour}.service: where this colour listens and the model it serves.`,
      '# Written by `xrayops deploy --systemd`; the next deploy of this colour replaces it.',
      `HOST=${v.host}`,
      `PORT=${v.port}`,
      `XRAYOPS_HEALTH_PORT=${healthPort(v.port, undefined)}`,
      `MODEL_PATH=${v.modelPath}`,
      '',
    ].join('\n'),
  }
}

export function writeColourEnvironment(t: SystemdTarget, colour: string, v: { host: string; port: number; modelPath: string }): string {
  const f = colourEnvironment(t, colour, v)
  try {
    writeFileDurable(f.path, f.content, 0o644)
  } catch (cause) {
    throw new XrayError('SERVICE_FAILED', `cannot write ${f.path}: ${(cause as Error).message} (run as root, or as the owner of ${t.configDir})`, { cause })
  }
  return f.path
}
