import { fileURLToPath } from 'node:url'
import path from 'node:path'

/** Root of the installed product (the folder holding models/ and shaders/). */
export const projectRoot = (): string =>
  process.env.XRAYOPS_ROOT ?? path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')

export const defaultModelManifest = (): string =>
  path.join(projectRoot(), 'models', 'pneumonia-efficientnet_b0-v1.json')
