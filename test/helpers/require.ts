import { spawnSync } from 'node:child_process'
import { describe } from 'vitest'

/**
 * The one rule for tests that need a real external component (a binary such as prometheus, or a
 * WebGPU adapter): when it is missing, the tests fail under CI (the `CI` environment variable is
 * set, as .ci/run and CI services do) and are skipped elsewhere with a warning that names what to
 * install. Nothing is skipped silently.
 */
export interface Component {
  name: string
  present: boolean
  /** How to get it: `apt-get install prometheus`. */
  install: string
}

export const componentsRequired = (): boolean => Boolean(process.env.CI)

/** Whether `cmd` can be run at all (any exit status; only a missing binary counts). */
export const hasCommand = (cmd: string, args = ['--version']): boolean => !spawnSync(cmd, args, { stdio: 'ignore', timeout: 30_000 }).error

/** A component found by its command. */
export const tool = (cmd: string, install: string, args?: string[]): Component => ({ name: cmd, present: hasCommand(cmd, args), install })

/** True when `c` is there; else throws under CI, or warns and returns false. */
export function available(c: Component): boolean {
  if (c.present) return true
  const what = `${c.name} is missing (${c.install})`
  if (componentsRequired()) throw new Error(`${what}: under CI every real component is required`)
  console.warn(`SKIPPING tests that need ${c.name}: ${what}`)
  return false
}

/** A describe block that runs only with `c` present, under the rule above. */
export const describeWith = (c: Component, title: string, fn: () => void) => describe.skipIf(!available(c))(title, fn)
