import { logger } from '../log.ts'
import { closeSync, createWriteStream, mkdirSync, openSync, type WriteStream } from 'node:fs'
import path from 'node:path'
import { consola, LogLevels } from 'consola'
import type { ServerConfig } from '../config/schema.ts'
import { XrayError } from '../errors/index.ts'
import { isProbe } from './probes.ts'

/**
 * Applies logging.level / logging.format to consola, and returns the request logger: one JSON
 * line per request in the json format (also appended to logging.file when set); health checks
 * and scrapes only at debug.
 */
export function setupLogging(cfg: ServerConfig['logging']): { accessLog: (e: Record<string, unknown>) => void; close: () => void } {
  consola.level = LogLevels[cfg.level === 'silent' ? 'silent' : cfg.level]
  let file: WriteStream | undefined
  if (cfg.file) {
    const where = cfg.file
    try {
      mkdirSync(path.dirname(where), { recursive: true })
      closeSync(openSync(where, 'a')) // fail at start, with the key named, not later
    } catch (cause) {
      throw new XrayError('CONFIG_INVALID', `logging.file=${JSON.stringify(where)} cannot be opened for appending: ${(cause as Error).message}`, {
        cause,
        details: { key: 'logging.file', value: where },
      })
    }
    file = createWriteStream(where, { flags: 'a' })
    file.on('error', (e) => {
      process.stderr.write(`xrayops: writing ${where} failed (${e.message}); request logs go to stdout only\n`)
      file = undefined
    })
  }
  const json = (obj: Record<string, unknown>) => `${JSON.stringify({ time: new Date().toISOString(), ...obj })}\n`
  if (cfg.format === 'json') {
    consola.setReporters([
      {
        log: (l) => {
          const line = json({ level: l.type, tag: l.tag || undefined, msg: l.args.map((a) => (a instanceof Error ? a.message : String(a))).join(' ') })
          process.stderr.write(line)
          file?.write(line)
        },
      },
    ])
  }
  const quiet = consola.level < LogLevels.info
  // Health checks and scrapes (a balancer's every second) are logged at debug: at info they would
  // bury the requests of clients, and cost as much to log as to answer.
  const probes = consola.level >= LogLevels.debug
  return {
    accessLog: (e) => {
      if (quiet || (!probes && isProbe(String(e.method), String(e.path)))) return
      const line = json({ level: 'info', tag: 'access', ...e })
      file?.write(line)
      if (cfg.format === 'json') process.stdout.write(line)
      else logger('http').info(`${e.method} ${e.path} ${e.status} ${e.latency_ms} ms${e.label ? ` ${e.label}` : ''}`)
    },
    close: () => file?.end(),
  }
}
