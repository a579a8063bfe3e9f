/**
 * The restore steps `restore` and `recover` share: check the backup on a staged copy, make sure
 * nothing uses the state folder (stopping the services with the release commands' functions
 * when asked), confirm, swap.
 */
import fs from 'node:fs'
import { commitRestore, resolveBackup, type RestoreResult, stageRestore, type Staged, stateUsers, stopSupervised } from '../../../backup/index.ts'
import { modelService } from '../../../deploy/context.ts'
import { stopGateway, stopModelServers } from '../../../deploy/services.ts'
import { SystemctlRunner } from '../../../deploy/systemctl.ts'
import { colours } from '../../../state/environments.ts'
import { XrayError } from '../../../errors/index.ts'
import { osActor } from '../../../state/actor.ts'
import { confirm } from '../../_shared.ts'
import { withRelease } from '../release/_shared.ts'
import { backupPlaces, contentsText, mib } from './_shared.ts'

export interface RestoreFlowOptions {
  spec: string
  yes: boolean
  dryRun?: boolean
  stopServices: boolean
  withConfig?: boolean
  /** The confirmation question (default: restore's). */
  question?: string
  say: (line: string) => void
}

const describe = (s: Staged) => {
  const m = s.manifest
  return [
    `backup ${s.backup}`,
    `  made ${m.created_at} on ${m.host} by xrayops ${m.xrayops_version}, schema ${m.schema_version}, of ${m.state_dir}`,
    `  ${contentsText(s.facts.contents)}`,
    `  checked: ${m.files.length} files (${mib(m.files.reduce((n, f) => n + f.bytes, 0))}) match the manifest's sha256 and sizes; the database passes PRAGMA integrity_check`,
  ]
}

/** Stops the gateway and the model servers as `xrayops stop --all` does; by their pid files when the database cannot be opened. */
async function stopServices(args: Record<string, unknown>, stateDir: string, drainMs: number, say: (l: string) => void): Promise<void> {
  try {
    await withRelease(args, 'stop all (restore)', async (rc) => {
      rc.say = say
      await stopGateway(rc).catch((e: Error) => say(`gateway: ${e.message}`))
      await stopModelServers(rc)
    })
  } catch (e) {
    say(`the release commands could not stop the services (${(e as Error).message}); stopping them by their pid files${args.systemd ? ' and their systemd units' : ''}`)
    if (args.systemd) {
      const units = new SystemctlRunner({ timeoutMs: drainMs + 60_000 })
      for (const name of ['gateway', ...colours.map((c) => modelService(c))] as const) await units.stop(name).catch((err: Error) => say(`${name}: ${err.message}`))
    }
  }
  const rest = await stopSupervised(stateDir, drainMs)
  if (rest.length) say(`stopped by pid file: ${rest.join(', ')}`)
}

/** Returns the result, or null when the user declined or it was a dry run. */
export async function restoreFlow(args: Record<string, unknown>, o: RestoreFlowOptions): Promise<{ staged: Staged; result: RestoreResult | null }> {
  const { loaded, stateDir, backupDir } = await backupPlaces(args)
  const backup = resolveBackup(o.spec, backupDir)
  const staged = await stageRestore(backup, stateDir)
  let committed = false
  try {
    for (const l of describe(staged)) o.say(l)
    if (o.dryRun) return { staged, result: null }
    const users = stateUsers(stateDir)
    if (users.length && !o.stopServices)
      throw new XrayError(
        'SERVICES_RUNNING',
        `nothing was restored: the state folder ${stateDir} is in use by ${users.map((u) => `pid ${u.pid} (${u.why})`).join(', ')}. Stop them first (xrayops stop --all --yes; xrayops monitoring is not affected), or pass --stop-services`,
      )
    const question = o.question ?? `Replace the database, model store and tokens of ${stateDir} with this backup${users.length ? `, stopping ${users.length} process(es) that use it` : ''}? What was written since ${staged.manifest.created_at} is lost.`
    if (!(await confirm(question, o.yes))) return { staged, result: null }
    if (users.length) await stopServices(args, stateDir, loaded.config.server.shutdownTimeoutMs, o.say)
    committed = true
    const result = await commitRestore(staged, { stateDir, actor: osActor(), withConfig: o.withConfig })
    return { staged, result }
  } finally {
    if (!committed) fs.rmSync(staged.staging, { recursive: true, force: true })
  }
}
