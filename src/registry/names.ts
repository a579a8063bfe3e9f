/** Model names and versions as the registry accepts them. */
import { XrayError } from '../errors/index.ts'

/**
 * Letters, digits, `.`, `_`, `-`, starting with a letter or digit, at most 100 characters: no
 * path separators, no `..`, nothing a shell or a file system treats specially.
 */
const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/

export function checkName(name: string): string {
  if (!NAME.test(name) || name.includes('..'))
    throw new XrayError('INVALID_NAME', `model name ${JSON.stringify(name)} is not allowed: use letters, digits, '.', '_' and '-' (starting with a letter or digit, no '..', at most 100 characters)`)
  return name
}

// Semantic Versioning 2.0.0 (semver.org), with an optional leading `v`.
const SEMVER =
  /^v?(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[A-Za-z-][0-9A-Za-z-]*)(?:\.(?:0|[1-9]\d*|\d*[A-Za-z-][0-9A-Za-z-]*))*))?(?:\+([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?$/

export interface Semver {
  major: number
  minor: number
  patch: number
  prerelease: string[]
  build?: string
  /** The normalized text, without a leading `v`. */
  text: string
}

export function parseVersion(input: string): Semver {
  const m = SEMVER.exec(input.trim())
  if (!m) throw new XrayError('INVALID_VERSION', `version ${JSON.stringify(input)} is not a semantic version (MAJOR.MINOR.PATCH, e.g. 2.0.0 or v2.0.0-rc.1)`)
  const text = input.trim().replace(/^v/, '')
  return { major: Number(m[1]), minor: Number(m[2]), patch: Number(m[3]), prerelease: m[4] ? m[4].split('.') : [], build: m[5], text }
}

/** SemVer precedence (build metadata ignored). */
export function compareVersions(a: Semver, b: Semver): number {
  for (const k of ['major', 'minor', 'patch'] as const) if (a[k] !== b[k]) return a[k] < b[k] ? -1 : 1
  if (!a.prerelease.length || !b.prerelease.length) return b.prerelease.length - a.prerelease.length
  for (let i = 0; i < Math.max(a.prerelease.length, b.prerelease.length); i++) {
    const x = a.prerelease[i]
    const y = b.prerelease[i]
    if (x === undefined) return -1
    if (y === undefined) return 1
    if (x === y) continue
    const nx = /^\d+$/.test(x)
    const ny = /^\d+$/.test(y)
    if (nx && ny) return Number(x) < Number(y) ? -1 : 1
    if (nx !== ny) return nx ? -1 : 1
    return x < y ? -1 : 1
  }
  return 0
}
