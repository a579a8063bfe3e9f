import { consola, type ConsolaInstance } from 'consola'

interface Tagged {
  instance: ConsolaInstance
  level: number
  reporters: readonly unknown[]
}

const same = (a: readonly unknown[], b: readonly unknown[]) => a.length === b.length && a.every((r, i) => r === b[i])

const tagged = new Map<string, Tagged>()

/** The root consola tagged `tag`, made again only after the root's level or reporters changed (making one per call costs ~0.1 ms). */
function current(tag: string): ConsolaInstance {
  const t = tagged.get(tag)
  if (t && t.level === consola.level && same(t.reporters, consola.options.reporters)) return t.instance
  const instance = consola.withTag(tag)
  tagged.set(tag, { instance, level: consola.level, reporters: [...consola.options.reporters] })
  return instance
}

/**
 * A logger tagged per subsystem that follows the root consola's level and reporters as they are
 * when it logs (consola's `withTag` copies them at creation, before logging is configured).
 */
export const logger = (tag: string): ConsolaInstance => new Proxy({} as ConsolaInstance, { get: (_t, key) => Reflect.get(current(tag), key) })
