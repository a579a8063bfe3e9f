import { parseArgs } from 'citty'

/**
 * citty's usage error: `runMain` prints the command's usage and the message, then exits 1. citty
 * does not export the class, so it is taken from an error citty itself throws.
 */
const CLIError = (() => {
  try {
    parseArgs([], { x: { type: 'positional', required: true } })
  } catch (e) {
    return (e as Error).constructor as new (message: string, code?: string) => Error
  }
  throw new Error('citty did not reject a missing argument')
})()

export const usageError = (message: string): Error => new CLIError(message, 'EARG')

/** An integer flag in [min, max], or a usage error naming the flag. */
export function intFlag(name: string, value: string | undefined, min: number, max: number): number | undefined {
  if (value === undefined) return undefined
  const n = Number(value)
  if (!/^\d+$/.test(value.trim()) || n < min || n > max) throw usageError(`--${name} ${value}: expected an integer from ${min} to ${max}`)
  return n
}
