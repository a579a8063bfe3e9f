/**
 * Kubernetes API types for the manifest tests, from the npm package kubernetes-models:
 * `validate(obj)` runs its JSON-schema check (types, required fields, enums), and `unknownFields`
 * reads the property lists in its type declarations to find fields the API does not have (the
 * schema check lets those through; the API server would drop or reject them).
 */
import fs from 'node:fs'
import { createRequire } from 'node:module'
import path from 'node:path'

const require = createRequire(import.meta.url)
const modelsDir = path.dirname(require.resolve('kubernetes-models/package.json'))

/** The declaration file of a kind: apps/v1 Deployment -> kubernetes-models/apps/v1/Deployment.d.ts. */
const kindFile = (apiVersion: string, kind: string) => path.join(modelsDir, apiVersion.includes('/') ? apiVersion : `v1`, `${kind}.d.ts`)

type Model = new (data: unknown) => { validate(): void }

/** Runs kubernetes-models' own validation of the object; throws its message on failure. */
export async function validate(obj: { apiVersion: string; kind: string }): Promise<void> {
  const file = kindFile(obj.apiVersion, obj.kind)
  if (!fs.existsSync(file)) throw new Error(`no Kubernetes type ${obj.apiVersion} ${obj.kind}`)
  const mod = (await import(file.replace(/\.d\.ts$/, '.js'))) as Record<string, Model>
  new mod[obj.kind](obj).validate()
}

interface Decl {
  /** property -> its type text */
  props: Map<string, string>
  file: string
}

const cache = new Map<string, Decl | null>()

/** The interface that `exported` names in `file` (through `export type { IX as exported }`), or null for a type alias. */
function declaration(file: string, exported?: string): Decl | null {
  const key = `${file}#${exported ?? ''}`
  if (cache.has(key)) return cache.get(key)!
  const text = fs.readFileSync(file, 'utf8').replace(/\/\*\*[\s\S]*?\*\//g, '')
  const local = exported ? (new RegExp(`export type \\{[^}]*\\b(\\w+) as ${exported}\\b`).exec(text)?.[1] ?? exported) : undefined
  const start = local ? text.indexOf(`export interface ${local} `) : text.search(/export interface \w+ /)
  let decl: Decl | null = null
  if (start >= 0) {
    const open = text.indexOf('{', start)
    const props = new Map<string, string>()
    let depth = 0
    let seg = ''
    for (let i = open + 1; i < text.length; i++) {
      const c = text[i]
      if (c === '{' || c === '<') depth++
      if (c === '}' || c === '>') depth--
      if (depth < 0) break
      if (c === ';' && depth === 0) {
        const m = /^\s*"([^"]+)"\??:\s*([\s\S]+)$/.exec(seg)
        if (m) props.set(m[1], m[2].trim())
        seg = ''
      } else seg += c
    }
    decl = { props, file }
  }
  cache.set(key, decl)
  return decl
}

/** Resolves a type name used in `file` to its declaration (null: a scalar, a union, a type alias). */
function resolveType(file: string, name: string): Decl | null {
  const text = fs.readFileSync(file, 'utf8')
  const imp = new RegExp(`import \\{ ${name} \\} from "([^"]+)"`).exec(text)
  if (!imp) return null
  const spec = imp[1]
  let target: string
  if (spec.startsWith('.')) target = path.resolve(path.dirname(file), spec.replace(/\.js$/, '.d.ts'))
  else {
    let dir = path.dirname(file)
    while (!fs.existsSync(path.join(dir, 'node_modules', `${spec}.d.ts`)) && dir !== path.dirname(dir)) dir = path.dirname(dir)
    target = path.join(dir, 'node_modules', `${spec}.d.ts`)
  }
  return fs.existsSync(target) ? declaration(target, name) : null
}

function walk(value: unknown, type: string, file: string, at: string, out: string[]): void {
  if (value === null || typeof value !== 'object') return
  const arr = /^Array<(\w+)>$/.exec(type)
  if (arr) return void (Array.isArray(value) ? value.forEach((v, i) => walk(v, arr[1], file, `${at}[${i}]`, out)) : undefined)
  const map = /^\{\s*\[key: string\]: (\w+);\s*\}$/.exec(type)
  if (map) return void Object.entries(value).forEach(([k, v]) => walk(v, map[1], file, `${at}.${k}`, out))
  if (!/^\w+$/.test(type)) return
  const decl = resolveType(file, type)
  if (decl) check(value as Record<string, unknown>, decl, at, out)
}

function check(obj: Record<string, unknown>, decl: Decl, at: string, out: string[]): void {
  for (const [k, v] of Object.entries(obj)) {
    const t = decl.props.get(k)
    if (t === undefined) out.push(`${at}.${k}`)
    else walk(v, t, decl.file, `${at}.${k}`, out)
  }
}

/** Paths of the fields that the object's Kubernetes type does not declare (`.spec.template.spec.containers[0].readinessprobe`). */
export function unknownFields(obj: { apiVersion: string; kind: string }): string[] {
  const decl = declaration(kindFile(obj.apiVersion, obj.kind))
  if (!decl) throw new Error(`no declaration for ${obj.apiVersion} ${obj.kind}`)
  const out: string[] = []
  check(obj as Record<string, unknown>, decl, '', out)
  return out
}
