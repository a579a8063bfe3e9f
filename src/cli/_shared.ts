import { parseArgs, type ArgDef } from 'citty'
import { consola } from 'consola'
import { flagsFromArgs, settingArgs } from '../config/keys.ts'
import { loadConfig, type LoadedConfig } from '../config/load.ts'
import { isXrayError } from '../errors/index.ts'

export { settingArgs }

export const jsonArg = {
  json: { type: 'boolean', description: 'print a JSON report', default: false },
} as const satisfies Record<string, ArgDef>

export const configArg = {
  config: { type: 'string', description: 'config file (default: $XRAYOPS_CONFIG, else ./deployment/config.yaml if it exists)' },
} as const satisfies Record<string, ArgDef>

export const yesArg = {
  yes: { type: 'boolean', description: 'do it without asking (required when not on a terminal)', default: false },
} as const satisfies Record<string, ArgDef>

/** The model server (or gateway) URL the client commands talk to: client.url, else this host's server.port. */
export const serverUrl = ({ config }: LoadedConfig): string => config.client.url ?? `http://127.0.0.1:${config.server.port}`

/** Exit codes shared by the commands. Health uses 0 healthy, 1 degraded, 2 down. */
export const EXIT = { ok: 0, failure: 1 } as const

/** The configuration a command runs with: `--config`, the environment, and its setting flags. */
export const commandConfig = (args: Record<string, unknown>): Promise<LoadedConfig> =>
  loadConfig({ configPath: args.config as string | undefined, flags: flagsFromArgs(args) })

/**
 * citty prints the command's usage and exits 1 for its own CLIError, which it does not export:
 * its class is taken from the error its parser throws for a missing positional argument.
 */
const CLIError = (() => {
  try {
    parseArgs([], { _: { type: 'positional', required: true } })
  } catch (e) {
    return (e as Error).constructor as new (message: string, code: string) => Error
  }
  throw new Error('citty did not throw for a missing argument')
})()

/** A usage mistake (a bad or missing flag): citty prints the usage, then the message, and exits 1. */
export class UsageError extends CLIError {
  constructor(message: string) {
    super(message, 'EARG')
    this.name = 'UsageError'
  }
}

export const usageError = (message: string): Error => new UsageError(message)

/** An integer flag in [min, max] (undefined when not given), or a usage error naming the flag. */
export function intFlag(name: string, value: string | undefined, min: number, max: number): number | undefined {
  if (value === undefined) return undefined
  const n = Number(value)
  if (!/^\d+$/.test(value.trim()) || n < min || n > max) throw usageError(`--${name} ${value}: expected an integer from ${min} to ${max}`)
  return n
}

/** A positive number from a flag, or a usage error naming it. */
export function numberArg(args: Record<string, unknown>, name: string, check: (n: number) => boolean = (n) => n > 0, what = 'a positive number'): number {
  const n = Number(args[name])
  if (args[name] === undefined || args[name] === '' || !Number.isFinite(n) || !check(n)) throw usageError(`--${name} ${JSON.stringify(args[name] ?? '')} is not valid: expected ${what}`)
  return n
}

/**
 * The rule for destructive commands: on a terminal, ask; elsewhere, refuse unless `--yes`.
 * Returns false when the user declined (the command then does nothing and exits 1).
 */
export async function confirm(question: string, yes: boolean): Promise<boolean> {
  if (yes) return true
  if (!process.stdin.isTTY || !process.stdout.isTTY) throw usageError(`${question} Not on a terminal: pass --yes to confirm.`)
  const answer = await consola.prompt(question, { type: 'confirm', initial: false, cancel: 'default' })
  return answer === true
}

/** Runs a command body; a typed error becomes one line on stderr and a non-zero exit. */
export async function guard(body: () => Promise<number | void>): Promise<void> {
  try {
    const code = await body()
    process.exitCode = code ?? EXIT.ok
  } catch (e) {
    if (!isXrayError(e)) throw e
    consola.error(`${e.code}: ${e.message}`)
    process.exitCode = EXIT.failure
  }
}
