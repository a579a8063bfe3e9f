/**
 * Node SEA: the preparation blob is made by the base binary itself (a blob must come from the
 * Node version that runs it), then injected into a copy of that binary with postject.
 */
import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import { createRequire } from 'node:module'
import path from 'node:path'
import { NODE_FLAGS } from '../../src/runtime/node-flags.ts'

type Inject = (file: string, resource: string, data: Buffer, opts: { sentinelFuse: string }) => Promise<void>
const { inject } = createRequire(import.meta.url)('postject') as { inject: Inject }

const FUSE = 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2'

export async function makeExecutable(opts: { baseNode: string; main: string; assets: Record<string, string>; work: string; output: string }): Promise<void> {
  const blob = path.join(opts.work, 'sea-prep.blob')
  const seaConfig = path.join(opts.work, 'sea-config.json')
  fs.writeFileSync(
    seaConfig,
    JSON.stringify(
      {
        // Relative to the work folder (the cwd below): the main script's path is recorded in
        // the blob (stack traces show it), and must not depend on where the repo lives.
        main: path.relative(opts.work, opts.main),
        output: path.relative(opts.work, blob),
        disableExperimentalSEAWarning: true,
        // Code cache and snapshots differ from build to build; without them the output is byte-identical.
        useCodeCache: false,
        // The executable ignores NODE_OPTIONS: nothing on the host changes what it runs.
        execArgvExtension: 'none',
        // Node's flags for xrayops (src/runtime/node-flags.ts).
        execArgv: [...NODE_FLAGS],
        useSnapshot: false,
        assets: opts.assets,
      },
      null,
      1,
    ),
  )
  try {
    execFileSync(opts.baseNode, ['--experimental-sea-config', path.basename(seaConfig)], { cwd: opts.work, stdio: 'pipe' })
  } catch (e) {
    throw new Error(`the SEA blob could not be made: ${String((e as { stderr?: Buffer }).stderr ?? e)}`)
  }

  const tmp = `${opts.output}.${process.pid}.tmp`
  fs.copyFileSync(opts.baseNode, tmp)
  fs.chmodSync(tmp, 0o755)
  const warn = console.warn
  console.warn = (...a: unknown[]) => {
    // LIEF's harmless note about the ELF string table of the official binaries.
    if (!/Can't find string offset for section name/.test(String(a[0]))) warn(...a)
  }
  try {
    await inject(tmp, 'NODE_SEA_BLOB', fs.readFileSync(blob), { sentinelFuse: FUSE })
  } finally {
    console.warn = warn
  }
  fs.renameSync(tmp, opts.output)
}
