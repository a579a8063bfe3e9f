import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import * as esbuild from 'esbuild'
import { describe, expect, it } from 'vitest'
import config from '../../build.config.ts'
import { expand, repoRoot, resolveAssets } from '../../scripts/build/config.ts'
import { nativePlugin } from '../../scripts/build/native-plugin.ts'
import { NODE_FLAGS, START_COMMAND } from '../../src/runtime/node-flags.ts'

describe('build.config.ts', () => {
  it('names files that exist, each landing on its own path', () => {
    const assets = resolveAssets(config)
    expect(assets.filter((a) => a.addon).map((a) => path.basename(a.source))).toEqual([
      'dawn.node',
      'onnxruntime_binding.node',
      expect.stringMatching(/^sharp-linux-x64-.*\.node$/),
    ])
    for (const a of assets) expect(fs.statSync(a.source).isFile()).toBe(true)
    // The addons find their libraries through RPATH/RUNPATH: keep those layouts.
    const at = (re: RegExp) => assets.find((a) => re.test(a.path))!.path
    expect(path.posix.dirname(at(/libonnxruntime/))).toBe(path.posix.dirname(at(/onnxruntime_binding/)))
    expect(path.posix.normalize(`${path.posix.dirname(at(/sharp-linux-x64-/))}/../../sharp-libvips-linux-x64/lib`)).toBe(path.posix.dirname(at(/libvips-cpp/)))
    expect(assets.some((a) => a.path === 'models/pneumonia-efficientnet_b0-v1.onnx')).toBe(true)
    // monitoring up reads the same layout as the checkout's monitoring/ folder
    const monitoring = assets.filter((a) => a.group === 'monitoring').map((a) => a.path)
    for (const f of ['monitoring/prometheus.yml', 'monitoring/alertmanager.yml', 'monitoring/rules/model-server.yml', 'monitoring/targets/model-servers.json', 'monitoring/grafana/xrayops.json'])
      expect(monitoring).toContain(f)
  })

  it('has patches that each match the installed packages exactly once', () => {
    for (const p of config.patches) expect(fs.readFileSync(path.join(repoRoot, p.file), 'utf8').split(p.find).length - 1, p.file).toBe(1)
  })

  it("gives `npm start` Node's flags and glibc's settings for the model server", () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { scripts: Record<string, string> }
    expect(pkg.scripts.start).toBe(START_COMMAND)
    expect(START_COMMAND).toBe(`MALLOC_ARENA_MAX=2 node ${NODE_FLAGS.join(' ')} bin/xrayops.mjs serve`)
  })

  it('expands * within one path segment', () => {
    expect(expand(repoRoot, 'node_modules/onnxruntime-node/bin/napi-v*/linux/x64/libonnxruntime.so.1')).toHaveLength(1)
    expect(expand(repoRoot, 'nope/*')).toEqual([])
  })
})

describe('the bundle plugin', () => {
  it('turns embedded addons into requireEmbeddedAddon calls and any other .node into a throw', async () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'xrayops-plugin-'))
    try {
      fs.writeFileSync(path.join(tmp, 'a.node'), '')
      fs.writeFileSync(path.join(tmp, 'b.node'), '')
      fs.writeFileSync(path.join(tmp, 'runtime.js'), 'exports.requireEmbeddedAddon = (p) => "loaded " + p')
      fs.writeFileSync(path.join(tmp, 'entry.js'), 'exports.a = require("./a.node"); try { require("./b.node") } catch (e) { exports.b = e.message }')
      const out = await esbuild.build({
        entryPoints: [path.join(tmp, 'entry.js')],
        bundle: true,
        write: false,
        platform: 'node',
        format: 'cjs',
        logLevel: 'silent',
        plugins: [
          nativePlugin({
            root: tmp,
            assets: [{ group: 'g', source: path.join(tmp, 'a.node'), path: 'native/a.node', addon: true }],
            patches: [{ file: 'entry.js', find: 'exports.b = e.message', replace: 'exports.b = "patched: " + e.message' }],
            runtimeModule: path.join(tmp, 'runtime.js'),
          }),
        ],
      })
      const mod = { exports: {} as Record<string, string> }
      new Function('module', 'exports', 'require', out.outputFiles[0].text)(mod, mod.exports, () => {})
      expect(mod.exports.a).toBe('loaded native/a.node')
      expect(mod.exports.b).toBe('patched: b.node is not embedded in this executable')
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true })
    }
  })
})
