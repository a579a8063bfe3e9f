import { existsSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { defineConfig, type Plugin } from 'vitest/config'

// `.wgsl` files import as strings, as in the build and in bin/wgsl-loader.mjs.
const wgsl = (): Plugin => ({
  name: 'wgsl',
  load(id) {
    if (id.endsWith('.wgsl')) return `export default ${JSON.stringify(readFileSync(id, 'utf8'))};`
  },
})

const lavapipe = fileURLToPath(new URL('.cache/lavapipe/lvp_icd.json', import.meta.url))
// The state folder of servers the tests start without naming one (audit trail, registry): never ~/.local/state.
const testState = fileURLToPath(new URL('.cache/test-state', import.meta.url))

export default defineConfig({
  plugins: [wgsl()],
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 300_000,
    pool: 'forks',
    env: {
      ...(existsSync(lavapipe) && !process.env.VK_DRIVER_FILES ? { VK_DRIVER_FILES: lavapipe } : {}),
      XDG_RUNTIME_DIR: process.env.XDG_RUNTIME_DIR ?? '/tmp',
      XDG_STATE_HOME: testState,
      CONSOLA_LEVEL: process.env.CONSOLA_LEVEL ?? '1',
      // The servers tests start share two cores with the other test files' processes: their model
      // and decoders keep the one priority of everything else (a lowered model would crawl behind
      // the other files' work). test/runtime/priority.test.ts checks performance.compute_nice itself.
      XRAYOPS_COMPUTE_NICE: process.env.XRAYOPS_COMPUTE_NICE ?? '0',
    },
  },
})
