import type { ArgDef } from 'citty'
import { acquireReleaseLock } from '../../../deploy/lock.ts'
import type { ReleaseContext } from '../../../deploy/context.ts'
import { selfCommand } from '../../../deploy/self.ts'
import { checkSystemd, systemdTarget } from '../../../deploy/systemd-deploy.ts'
import { Registry } from '../../../registry/registry.ts'
import { osActor } from '../../../state/actor.ts'
import { openState } from '../../../state/db.ts'
import { ensureStateDir } from '../../../state/dir.ts'
import { type Colour, isColour, releaseState } from '../../../state/environments.ts'
import { commandConfig, configArg, jsonArg, settingArgs, usageError } from '../../_shared.ts'
import { stateDirOf } from '../../state.ts'

/** Flags every release command shares: config, state folder, ports, the drain time, --systemd. */
export const releaseArgs = {
  ...configArg,
  ...settingArgs('state', 'deploy', 'gateway', 'server.shutdownTimeoutMs'),
  systemd: { type: 'boolean', description: 'drive the systemd units of `xrayops systemd install` with systemctl (else xrayops supervises the processes itself)', default: false },
  'systemd-config-dir': { type: 'string', description: 'with --systemd: folder of the colours\' environment files', default: '/etc/xrayops' },
  ...jsonArg,
} as const satisfies Record<string, ArgDef>

export const reasonArg = {
  reason: { type: 'string', description: 'why, for the history' },
} as const satisfies Record<string, ArgDef>

/** --environment blue|green (and `production`, the live colour, where `production` is allowed). */
export function colourArg(value: string | undefined, flag = 'environment'): Colour {
  if (!isColour(value)) throw usageError(`--${flag} ${JSON.stringify(value ?? '')}: expected blue or green`)
  return value
}

/** `production` is the live colour; blue and green are themselves. */
export function colourOrLive(rc: ReleaseContext, value: string | undefined): Colour {
  if (value === 'production') {
    const live = releaseState(rc.state.db).liveColour
    if (!live) throw usageError('--environment production: no colour is live yet (xrayops deploy --environment blue --version V)')
    return live
  }
  if (!isColour(value)) throw usageError(`--environment ${JSON.stringify(value ?? '')}: expected blue, green or production`)
  return value
}

/**
 * Runs a release command with its configuration and the state database; with an `operation`
 * it holds the release lock (a second release command meanwhile is refused, naming the first).
 */
export async function withRelease<T>(args: Record<string, unknown>, operation: string | null, fn: (rc: ReleaseContext) => Promise<T>): Promise<T> {
  const loaded = await commandConfig(args)
  const target = args.systemd ? systemdTarget({ configDir: args['systemd-config-dir'] as string }) : undefined
  if (target) checkSystemd(target)
  const state = await openState(ensureStateDir(stateDirOf(loaded)))
  const rc: ReleaseContext = {
    state,
    registry: new Registry(state),
    config: loaded.config,
    configFile: loaded.file,
    actor: osActor(),
    self: selfCommand(),
    systemd: target,
    say: (line) => process.stderr.write(`${line}\n`),
  }
  const unlock = operation ? acquireReleaseLock(state.db, operation) : undefined
  try {
    return await fn(rc)
  } finally {
    unlock?.()
    state.close()
  }
}

export const printJson = (v: unknown) => process.stdout.write(`${JSON.stringify(v, null, 2)}\n`)
