/**
 * The tokens file, `<state>/tokens.json` (mode 0600): one entry per token ever created, with the
 * sha256 of its secret, never the secret. Revoked entries stay, so a revoked token is told
 * apart from an unknown one.
 */
import fs from 'node:fs'
import { XrayError } from '../errors/index.ts'
import path from 'node:path'
import { removeAbandonedTemps, writeFileDurable } from '../state/durable.ts'

export const scopes = ['admin', 'predict'] as const
export type Scope = (typeof scopes)[number]

export interface TokenEntry {
  name: string
  scope: Scope
  /** sha256 of the token, hex. */
  sha256: string
  createdAt: string
  createdBy: string
  /** null: never expires. */
  expiresAt: string | null
  revokedAt: string | null
  revokedBy: string | null
}

export interface TokenFile {
  format: 1
  tokens: TokenEntry[]
}

export function readTokenFile(file: string): TokenFile {
  let text: string
  try {
    text = fs.readFileSync(file, 'utf8')
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { format: 1, tokens: [] }
    throw new XrayError('STATE_ERROR', `cannot read the tokens file ${file}: ${(e as Error).message}`, { cause: e })
  }
  try {
    const parsed = JSON.parse(text) as TokenFile
    if (parsed.format !== 1 || !Array.isArray(parsed.tokens)) throw new Error(`format ${String(parsed.format)} is not 1`)
    return parsed
  } catch (cause) {
    throw new XrayError('STATE_ERROR', `the tokens file ${file} is damaged (${(cause as Error).message}); restore it from a backup`, { cause })
  }
}

export function writeTokenFile(file: string, data: TokenFile): void {
  removeAbandonedTemps(path.dirname(file)) // left by a writer that was killed
  writeFileDurable(file, `${JSON.stringify(data, null, 2)}\n`, 0o600)
}
