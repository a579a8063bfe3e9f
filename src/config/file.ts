import { existsSync, statSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import path from 'node:path'
import { isMap, isNode, isScalar, LineCounter, parseDocument, type Document } from 'yaml'
import { XrayError } from '../errors/index.ts'
import { configError } from './parse.ts'

/** One `section.key: value` from config.yaml, with the line it is on. */
export interface FileEntry {
  fileKey: string
  value: unknown
  line: number
}

/** The file to read: `--config`, else $XRAYOPS_CONFIG, else ./deployment/config.yaml if it exists. */
export function findConfigFile(configPath: string | undefined, env: NodeJS.ProcessEnv, cwd: string): string | undefined {
  const explicit = configPath ? { name: '--config', source: 'flag' as const, value: configPath } : env.XRAYOPS_CONFIG ? { name: 'XRAYOPS_CONFIG', source: 'env' as const, value: env.XRAYOPS_CONFIG } : undefined
  if (!explicit) {
    const fallback = path.resolve(cwd, 'deployment', 'config.yaml')
    return existsSync(fallback) ? fallback : undefined
  }
  const file = path.resolve(cwd, explicit.value)
  if (!existsSync(file) || !statSync(file).isFile()) throw configError('config', explicit.value, explicit, 'an existing YAML config file', existsSync(file) ? 'is not a file' : 'does not exist')
  return file
}

/** Reads config.yaml into entries; syntax errors name the file, line and column. */
export async function readConfigFile(file: string): Promise<FileEntry[]> {
  const lineCounter = new LineCounter()
  const doc = parseDocument(await readFile(file, 'utf8'), { lineCounter, prettyErrors: true, uniqueKeys: true })
  const err = doc.errors[0]
  if (err) {
    const { line = 0, col = 0 } = err.linePos?.[0] ?? {}
    const reason = err.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '')
    throw new XrayError('CONFIG_INVALID', `${file}:${line}:${col} is not valid YAML: ${reason}`, {
      cause: err,
      details: { source: 'file', file, line, column: col, reason, allowed: 'a YAML mapping of sections (model, server, ...)' },
    })
  }
  return entries(doc, lineCounter, file)
}

function entries(doc: Document, lines: LineCounter, file: string): FileEntry[] {
  const js = (node: unknown) => (isNode(node) ? node.toJS(doc) : (node ?? null))
  const lineOf = (node: unknown) => (isNode(node) && node.range ? lines.linePos(node.range[0]).line : 0)
  const keyOf = (node: unknown) => String(isScalar(node) ? node.value : js(node))
  if (doc.contents === null) return []
  if (!isMap(doc.contents))
    throw configError('(file)', js(doc.contents), { source: 'file', name: '(top level)', file, line: lineOf(doc.contents) }, 'a mapping of sections (model, server, ...)')
  return doc.contents.items.flatMap((pair) => {
    const section = keyOf(pair.key)
    if (!isMap(pair.value)) return [{ fileKey: section, value: js(pair.value), line: lineOf(pair.key) }]
    return pair.value.items.map((p) => ({ fileKey: `${section}.${keyOf(p.key)}`, value: js(p.value), line: lineOf(p.key) }))
  })
}
