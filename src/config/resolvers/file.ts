import { configError, parseValue } from '../invalid.ts'
import { KEYS, sections, setKey } from '../keys.ts'
import type { Resolver } from './context.ts'

/** Applies config.yaml over the defaults. Unknown keys are errors: they are usually typos. */
export const fromFile: Resolver = (ctx) => {
  if (!ctx.file) return
  const file = ctx.file.path
  for (const { fileKey, value, line } of ctx.file.entries) {
    const origin = { source: 'file' as const, name: fileKey, file, line }
    const spec = KEYS.find((k) => k.fileKey === fileKey)
    if (spec) {
      setKey(ctx.config, spec.key, parseValue(spec, value, origin))
      ctx.sources[spec.key] = 'file'
    } else if (sections.includes(fileKey)) {
      if (value !== null) throw configError(fileKey, value, origin, `a mapping of ${keysOf(fileKey).join(', ')}`)
    } else {
      const hint = closest(fileKey)
      throw configError(fileKey, value, origin, `one of the known keys${hint ? ` (did you mean ${hint}?)` : ''}`, 'is not a known key')
    }
  }
}

const keysOf = (section: string) => KEYS.filter((k) => k.fileKey.startsWith(`${section}.`)).map((k) => k.fileKey.slice(section.length + 1))

/** The known key nearest to a misspelt one, if it is near (edit distance <= 3). */
function closest(key: string): string | undefined {
  let best: { key: string; d: number } | undefined
  for (const { fileKey } of KEYS) {
    const d = distance(key, fileKey)
    if (d <= 3 && (!best || d < best.d)) best = { key: fileKey, d }
  }
  return best?.key
}

function distance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j)
  for (let i = 1; i <= a.length; i++) {
    const row = [i]
    for (let j = 1; j <= b.length; j++) row[j] = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1))
    prev = row
  }
  return prev[b.length]!
}
