import type { ArgDef } from 'citty'
import { consola } from 'consola'
import { settingFlags } from '../config/flags.ts'
import { isXrayError } from '../errors/index.ts'

export const deviceArgs = {
  device: { type: 'string', description: 'auto | gpu (cuda) | cpu; default: $DEVICE or auto' },
  model: { type: 'string', description: 'model manifest (.json) or .onnx with its manifest beside it; default: the shipped model' },
} as const satisfies Record<string, ArgDef>

export const jsonArg = {
  json: { type: 'boolean', description: 'print a JSON report', default: false },
} as const satisfies Record<string, ArgDef>

/** Exit codes shared by the commands. Health uses 0 healthy, 1 degraded, 2 down. */
export const EXIT = { ok: 0, failure: 1 } as const

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

/** The server's setting flags (`--port`, `--cache-size`, ...), as strings the config loader validates. */
export const settingArgs = Object.fromEntries(settingFlags.map((f) => [f.name, { type: 'string', description: f.description } satisfies ArgDef]))
