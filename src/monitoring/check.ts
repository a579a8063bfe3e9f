/** Validates the running copy with promtool and amtool (shipped beside the servers) before use. */
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { XrayError } from '../errors/index.ts'
import { which } from './binaries.ts'
import type { MonitoringPaths } from './files.ts'

const run = promisify(execFile)

async function check(tool: string, args: string[]): Promise<void> {
  const bin = which([tool])
  if (!bin) return // the server itself still refuses a bad file at start
  try {
    await run(bin, args, { timeout: 60_000 })
  } catch (e) {
    const err = e as { stdout?: string; stderr?: string; message: string }
    throw new XrayError('MONITORING_FAILED', `${tool} ${args.join(' ')} failed:\n${`${err.stdout ?? ''}${err.stderr ?? ''}`.trim() || err.message}`)
  }
}

/** `promtool check config` (rules and file_sd targets too) and `amtool check-config`. */
export async function checkRunningCopy(p: MonitoringPaths): Promise<void> {
  await check('promtool', ['check', 'config', p.prometheus.config])
  await check('amtool', ['check-config', p.alertmanager.config])
}
