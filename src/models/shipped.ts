import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { extractGroup, isSingleExecutable } from '../runtime/embedded.ts'

/** Group of the shipped model's files in the single executable (build.config.ts). */
export const MODELS_GROUP = 'models'

/** The shipped model's base name under models/. */
export const SHIPPED_MODEL = 'pneumonia-efficientnet_b0-v1'

/**
 * The shipped model's manifest: in the checkout's models/, or, in the single executable, in the
 * cache folder it is extracted to on first use (only when a model is actually loaded).
 */
export function shippedModelManifest(): string {
  const root = isSingleExecutable() ? extractGroup(MODELS_GROUP) : path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')
  return path.join(root, 'models', `${SHIPPED_MODEL}.json`)
}
