import { selectAdapter } from '../../src/gpu/dawn.ts'
import { available } from './require.ts'

/**
 * The WebGPU adapter the GPU tests run on (lavapipe here, see scripts/setup-lavapipe.sh), under
 * the rule for real components (require.ts): missing under CI fails, elsewhere skips with a warning.
 */
export async function testAdapter(): Promise<GPUAdapter | null> {
  const adapter = await selectAdapter({ allowSoftware: true }).catch((e: Error) => {
    console.warn(`WebGPU unavailable: ${e.message}`)
    return null
  })
  return available({ name: 'a WebGPU adapter', present: Boolean(adapter), install: 'scripts/setup-lavapipe.sh installs Mesa lavapipe' }) ? adapter : null
}
