import { fileURLToPath } from 'node:url'
import path from 'node:path'
import { extractGroup, isSingleExecutable } from '../runtime/embedded.ts'

/** Group of the default model's files in the single executable (build.config.ts). */
export const MODELS_GROUP = 'models'

/**
 * Root of the installed product (the folder holding models/ and shaders/): $XRAYOPS_ROOT, else
 * the checkout, or in the single executable the cache folder its default model is extracted to.
 */
export const projectRoot = (): string =>
  process.env.XRAYOPS_ROOT ??
  (isSingleExecutable() ? extractGroup(MODELS_GROUP) : path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..'))

export const defaultModelManifest = (): string =>
  path.join(projectRoot(), 'models', 'pneumonia-efficientnet_b0-v1.json')
