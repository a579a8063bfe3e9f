import path from 'node:path'
import { shippedDir } from '../runtime/shipped.ts'

/** Group of the shipped model's files in the single executable (build.config.ts). */
export const MODELS_GROUP = 'models'

/** The shipped model's base name under models/. */
export const SHIPPED_MODEL = 'pneumonia-efficientnet_b0-v1'

/** The shipped model's manifest; in the single executable it is extracted only when this is called. */
export const shippedModelManifest = (): string => path.join(shippedDir(MODELS_GROUP, 'models'), `${SHIPPED_MODEL}.json`)
