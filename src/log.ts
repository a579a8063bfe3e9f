import { consola, type ConsolaInstance } from 'consola'

/**
 * A logger tagged per subsystem that follows the root consola's level and reporters as they are
 * when it logs (consola's `withTag` copies them at creation, before logging is configured).
 */
export const logger = (tag: string): ConsolaInstance =>
  new Proxy({} as ConsolaInstance, { get: (_t, key) => Reflect.get(consola.withTag(tag), key) })
