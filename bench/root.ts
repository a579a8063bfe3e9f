import { existsSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

/** The checkout the benchmarks run in. */
export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')

/** A checkout's software Vulkan driver (scripts/setup-lavapipe.sh), when no driver is named. */
export function useLocalLavapipe(): void {
  const icd = path.join(root, '.cache', 'lavapipe', 'lvp_icd.json')
  if (!process.env.VK_DRIVER_FILES && !process.env.VK_ICD_FILENAMES && existsSync(icd)) process.env.VK_DRIVER_FILES = icd
}
