/** Finding Prometheus and Alertmanager on this host, or saying exactly how to install them. */
import fs from 'node:fs'
import path from 'node:path'
import { XrayError } from '../errors/index.ts'

export const INSTALL_HINT = 'apt-get install prometheus prometheus-alertmanager'

/** Program names tried in order: Debian names Alertmanager's binary prometheus-alertmanager. */
export const PROGRAMS = {
  prometheus: ['prometheus'],
  alertmanager: ['prometheus-alertmanager', 'alertmanager'],
} as const

export type Program = keyof typeof PROGRAMS

/** The first of `names` found as an executable file on PATH, or null. */
export function which(names: readonly string[], envPath = process.env.PATH ?? ''): string | null {
  for (const name of names)
    for (const dir of envPath.split(path.delimiter).filter(Boolean)) {
      const file = path.join(dir, name)
      try {
        fs.accessSync(file, fs.constants.X_OK)
        if (fs.statSync(file).isFile()) return file
      } catch {}
    }
  return null
}

/** Both binaries' paths; a missing one is a TOOL_MISSING error naming the install command. */
export function requireBinaries(envPath?: string): Record<Program, string> {
  const found = { prometheus: which(PROGRAMS.prometheus, envPath), alertmanager: which(PROGRAMS.alertmanager, envPath) }
  const missing = (Object.keys(found) as Program[]).filter((p) => !found[p])
  if (missing.length)
    throw new XrayError('TOOL_MISSING', `${missing.map((p) => PROGRAMS[p].join(' or ')).join(' and ')} not found on PATH: install with \`${INSTALL_HINT}\` (Debian/Ubuntu)`, {
      details: { missing, install: INSTALL_HINT },
    })
  return found as Record<Program, string>
}
