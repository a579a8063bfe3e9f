import { selectAdapter } from '../../src/gpu/dawn.ts'

/**
 * The WebGPU adapter the GPU tests run on (lavapipe in CI, see scripts/setup-lavapipe.sh).
 * Without one the GPU tests skip with a message, except under CI, where they must run: there a
 * missing adapter fails the suite instead of passing silently.
 */
export async function testAdapter(): Promise<GPUAdapter | null> {
  const adapter = await selectAdapter(true).catch((e: Error) => {
    console.warn(`WebGPU unavailable: ${e.message}`)
    return null
  })
  if (!adapter && (process.env.CI || process.env.XRAYOPS_REQUIRE_GPU === '1'))
    throw new Error('no WebGPU adapter under CI: run scripts/setup-lavapipe.sh and set VK_DRIVER_FILES')
  if (!adapter) console.warn('SKIPPING GPU tests: no WebGPU adapter (run scripts/setup-lavapipe.sh)')
  return adapter
}
