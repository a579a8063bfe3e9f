import { efficientNets } from '../../../models/onnx/architecture.ts'
import { usageError } from '../../_shared.ts'
import type { Registry } from '../../../registry/registry.ts'
import type { ModelRecord } from '../../../registry/records.ts'
import { protectedModels } from '../../../state/environments.ts'

/** The architecture a new version must have, and why: --architecture, earlier versions of the name, or the name itself. */
export function expectedArchitecture(reg: Registry, name: string, flag?: string): { architecture: string; why: string } | undefined {
  if (flag) {
    if (!efficientNets[flag]) throw usageError(`--architecture ${flag} is not one of ${Object.keys(efficientNets).join(', ')}`)
    return { architecture: flag, why: '--architecture' }
  }
  const earlier = reg.list({ name, includeArchived: true })[0]
  if (earlier) return { architecture: earlier.architecture, why: `${name}@${earlier.version} is ${earlier.architecture}; pass --architecture to change it` }
  const named = /efficientnet[_-]?(b[0-7])(?![0-9a-z])/i.exec(name)
  if (named) return { architecture: `efficientnet_${named[1].toLowerCase()}`, why: `the name ${name} says so` }
  return undefined
}

/** What uses each model: `blue`, `green`, `last good`. */
export function usesOf(reg: Registry): Map<number, string> {
  const out = new Map<number, string>()
  for (const [id, why] of protectedModels(reg.state.db)) out.set(id, why.startsWith('the ') ? why.split(' ')[1] : 'last good')
  return out
}

export const accuracyText = (r: ModelRecord) => (r.accuracy === null ? '-' : r.accuracy.toFixed(3))
