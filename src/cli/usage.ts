import { parseArgs } from 'citty'

/**
 * citty's own usage-error class (citty 0.2 does not export it): runMain prints the command's
 * usage and the message for these, and exits 1. Taken from the error its parser throws for a
 * missing required argument.
 */
const CLIError = (() => {
  try {
    parseArgs([], { x: { type: 'positional', required: true } })
  } catch (e) {
    return (e as Error).constructor as new (message: string, code: string) => Error
  }
  throw new Error('citty did not refuse a missing argument')
})()

/** A usage mistake: citty prints the usage, then `message`, and the process exits 1. */
export const usageError = (message: string, code = 'EARG'): Error => new CLIError(message, code)
