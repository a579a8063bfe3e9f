import { isSingleExecutable } from '../runtime/embedded.ts'

/**
 * This xrayops as a command line, for the services it starts: the single executable itself, or
 * Node with the checkout's bin/xrayops.mjs. No Node options are passed on (a test's preloaded
 * hook stays with the test's own process).
 */
export const selfCommand = (): string[] => (isSingleExecutable() ? [process.execPath] : [process.execPath, process.argv[1]!])
