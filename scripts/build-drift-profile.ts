/**
 * Builds a model's drift reference profile from its training images, through the prediction
 * service (the same decoding, model and statistics as production's audit records):
 *
 *   node --import ./bin/register.mjs scripts/build-drift-profile.ts \
 *     [--data ../shared/data/kermany/224/train] [--model models/pneumonia-efficientnet_b0-v1.json] \
 *     [--out models/<model>.drift.json] [--update-manifest]
 *
 * --update-manifest records the profile (file and sha256) in the model manifest's `drift` field.
 * Labels are the images' folder names (NORMAL/, PNEUMONIA/), counted for the record only.
 */
import { readFile, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { parseArgs } from 'node:util'
import { imageFiles, observeFiles } from '../src/drift/collect.ts'
import { buildProfile, sha256Of } from '../src/drift/profile.ts'
import { PredictionService } from '../src/inference/service.ts'
import { readManifest } from '../src/models/manifest.ts'
import { shippedModelManifest } from '../src/models/shipped.ts'

const { values: a } = parseArgs({
  options: {
    data: { type: 'string', default: '../shared/data/kermany/224/train' },
    model: { type: 'string', default: shippedModelManifest() },
    out: { type: 'string' },
    /** How the profile names its source (default: the folder's last three parts, kermany/224/train). */
    name: { type: 'string' },
    'update-manifest': { type: 'boolean', default: false },
  },
})
const data = path.resolve(a.data!)
const { manifest, manifestPath } = await readManifest(path.resolve(a.model!))
const out = path.resolve(a.out ?? manifestPath.replace(/\.json$/, '.drift.json'))
const files = await imageFiles(data)
if (files.length === 0) throw new Error(`no images under ${data}`)
const labels: Record<string, number> = {}
for (const f of files) labels[path.basename(path.dirname(f))] = (labels[path.basename(path.dirname(f))] ?? 0) + 1

const service = await PredictionService.create({ model: manifestPath, device: 'cpu', batching: { maxBatch: 16, maxDelayMs: 2 } })
const t0 = performance.now()
const obs = await observeFiles(service, files, { onProgress: (n) => n % 500 === 0 && process.stderr.write(`${n}/${files.length}\n`) })
await service.close()
const profile = buildProfile(obs, {
  model: { name: manifest.name, version: manifest.version, sha256: manifest.sha256 },
  positiveLabel: manifest.positiveLabel,
  source: {
    description: `${a.name ?? data.split(path.sep).slice(-3).join('/')}: ${files.length} images`,
    images: files.length,
    labels,
    builtAt: new Date().toISOString(),
    builder: 'scripts/build-drift-profile.ts (onnxruntime CPU)',
  },
})
const text = `${JSON.stringify(profile, null, 1)}\n`
await writeFile(out, text)
const sha256 = sha256Of(text)
console.log(`${out}: ${obs.length} images in ${((performance.now() - t0) / 1000).toFixed(0)} s, sha256 ${sha256}, ${text.length} bytes`)
if (a['update-manifest']) {
  const raw = JSON.parse(await readFile(manifestPath, 'utf8'))
  raw.drift = { file: path.relative(path.dirname(manifestPath), out), sha256 }
  await writeFile(manifestPath, `${JSON.stringify(raw, null, 2)}\n`)
  console.log(`${manifestPath}: drift = ${JSON.stringify(raw.drift)}`)
}
