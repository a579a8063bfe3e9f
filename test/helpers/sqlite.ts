import { execFileSync } from 'node:child_process'
import { tool } from './require.ts'

/** The sqlite3 command-line shell: reads the state database independently of the product's driver. */
export const sqlite3Cli = tool('sqlite3', 'apt-get install sqlite3')

/** Runs SQL with the sqlite3 shell; rows as arrays of strings. */
export function sql(db: string, query: string): string[][] {
  const out = execFileSync('sqlite3', ['-batch', '-separator', '\t', db, query], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })
  return out.split('\n').filter(Boolean).map((l) => l.split('\t'))
}

export const sqlValue = (db: string, query: string): string => sql(db, query)[0]?.[0] ?? ''
