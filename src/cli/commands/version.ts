import { defineCommand } from 'citty'
import pkg from '../../../package.json' with { type: 'json' }
import { readManifest } from '../../models/manifest.ts'
import { dependencyVersions } from '../../runtime/versions.ts'
import { commandConfig, configArg, jsonArg, settingArgs } from '../_shared.ts'

export default defineCommand({
  meta: { name: 'version', description: 'Versions: xrayops, the shipped model, the runtime, and the GPU adapter Dawn finds' },
  args: {
    gpu: { type: 'boolean', description: 'look for a GPU adapter (loads Dawn; --no-gpu skips it)', default: true },
    ...settingArgs('gpu.dawnFlags'),
    ...configArg,
    ...jsonArg,
  },
  async run({ args }) {
    const manifest = await readManifest().then(
      (r) => r.manifest,
      () => null,
    )
    let adapter: unknown = 'not checked'
    if (args.gpu) {
      const { selectAdapter, summarizeAdapter } = await import('../../gpu/dawn.ts')
      const { config } = await commandConfig(args)
      const a = await selectAdapter({ allowSoftware: true, flags: config.gpu.dawnFlags }).catch((e: Error) => e)
      adapter = a instanceof Error ? `error: ${a.message}` : a ? summarizeAdapter(a) : 'none'
    }
    const report = {
      xrayops: pkg.version,
      model: manifest ? { name: manifest.name, version: manifest.version, sha256: manifest.sha256 } : null,
      runtime: { node: process.versions.node, v8: process.versions.v8, node_flags: process.execArgv.join(' ') || 'none', platform: `${process.platform}-${process.arch}`, ...dependencyVersions() },
      gpu: adapter,
    }
    if (args.json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`)
    else {
      const gpu = typeof adapter === 'object' && adapter ? `${(adapter as { description: string }).description}${(adapter as { fallback: boolean }).fallback ? ' (software)' : ''}` : String(adapter)
      process.stdout.write(
        [
          `xrayops ${report.xrayops}`,
          `model   ${manifest ? `${manifest.name} v${manifest.version} (sha256 ${manifest.sha256})` : 'not found'}`,
          `runtime ${Object.entries(report.runtime).map(([k, v]) => `${k} ${v}`).join(', ')}`,
          `gpu     ${gpu}`,
        ].join('\n') + '\n',
      )
    }
    process.exit(0) // Dawn's instance keeps the event loop alive
  },
})
