import { readFile } from 'node:fs/promises'
import path from 'node:path'
import { defineCommand } from 'citty'
import { XrayError } from '../../../errors/index.ts'
import { inspectModel } from '../../../inference/inspect.ts'
import { readManifest } from '../../../models/manifest.ts'
import { refuseNonOnnx } from '../../../models/onnx/format.ts'
import { parseProfile } from '../../../drift/profile.ts'
import { Registry } from '../../../registry/registry.ts'
import { sha256 } from '../../../registry/store.ts'
import { checkName, parseVersion } from '../../../registry/names.ts'
import { osActor } from '../../../state/actor.ts'
import { guard, jsonArg, usageError } from '../../_shared.ts'
import { openStateFromArgs, stateArgs } from '../../state.ts'
import { expectedArchitecture } from './_shared.ts'

/** The profile file's bytes, refused unless it is a drift profile built for the model with this sha256. */
async function readDriftProfile(file: string, modelSha256: string): Promise<Uint8Array> {
  const bytes = new Uint8Array(
    await readFile(file).catch((cause: unknown) => {
      throw new XrayError('FILE_NOT_FOUND', `drift profile not found: ${file}`, { cause })
    }),
  )
  const p = parseProfile(bytes, file)
  if (p.model.sha256 !== modelSha256)
    throw new XrayError('INVALID_FILE', `${file} is the drift profile of ${p.model.name} v${p.model.version} (sha256 ${p.model.sha256.slice(0, 12)}), not of this model (${modelSha256.slice(0, 12)}): build one with scripts/build-drift-profile.ts --model`)
  return bytes
}

export default defineCommand({
  meta: { name: 'register', description: 'Check an ONNX model (interface, architecture, warm-up answer) and register it as NAME@VERSION' },
  args: {
    name: { type: 'string', description: 'model name (letters, digits, . _ -)', required: true },
    version: { type: 'string', description: 'semantic version, with or without a leading v (2.0.0)', required: true },
    path: { type: 'string', description: 'the .onnx file', required: true },
    accuracy: { type: 'string', description: 'accuracy measured on your validation set, 0..1' },
    notes: { type: 'string', description: 'free text kept with the version and in the history' },
    architecture: { type: 'string', description: 'expected architecture (efficientnet_b0..b7); default: that of earlier versions of NAME, or the one NAME names' },
    'drift-profile': { type: 'string', description: "this model's drift profile (scripts/build-drift-profile.ts), stored beside it for `xrayops drift`" },
    ...stateArgs,
    ...jsonArg,
  },
  run: ({ args }) =>
    guard(async () => {
      const accuracy = args.accuracy === undefined ? undefined : Number(args.accuracy)
      if (accuracy !== undefined && !(accuracy >= 0 && accuracy <= 1)) throw usageError(`--accuracy ${args.accuracy} must be a number in 0..1`)
      checkName(args.name)
      parseVersion(args.version)
      const file = path.resolve(args.path)
      const bytes = new Uint8Array(
        await readFile(file).catch((cause: unknown) => {
          throw new XrayError('MODEL_NOT_FOUND', `model file not found: ${file}`, { cause })
        }),
      )
      refuseNonOnnx(args.path, bytes.subarray(0, 8))
      const driftProfile = args['drift-profile'] ? await readDriftProfile(args['drift-profile'], sha256(bytes)) : undefined
      const state = await openStateFromArgs(args)
      try {
        const reg = new Registry(state)
        const sha = sha256(bytes)
        const { name, version } = reg.precheck(args.name, args.version, sha)
        const { manifest: template, manifestPath } = await readManifest()
        if (!template.warmup) throw new XrayError('MODEL_INVALID', `${manifestPath} names no warm-up image`)
        const warmupPath = path.resolve(path.dirname(manifestPath), template.warmup.file)
        const warmup = { name: path.basename(warmupPath), bytes: new Uint8Array(await readFile(warmupPath)) }
        const checked = await inspectModel(bytes, { file: args.path, expected: expectedArchitecture(reg, name, args.architecture), template, warmupImage: warmup.bytes })
        const record = reg.register({ name, version, bytes, sha256: sha, checked, template, warmupImage: warmup, accuracy, notes: args.notes, driftProfile, actor: osActor() })
        const manifest = reg.manifestPath(record)
        if (args.json) process.stdout.write(`${JSON.stringify({ ...record, manifest, input: checked.input }, null, 2)}\n`)
        else
          process.stdout.write(
            [
              `registered ${record.name}@${record.version}`,
              `  architecture  ${record.architecture} (input ${checked.input.width}x${checked.input.height}, opset ${checked.opset})`,
              `  sha256        ${record.sha256}`,
              `  warm-up       P(${template.positiveLabel}) = ${record.warmupScore.toFixed(6)} on ${warmup.name}`,
              `  manifest      ${manifest}`,
              ...(driftProfile ? [`  drift profile ${path.join(path.dirname(manifest), `${record.sha256}.drift.json`)}`] : []),
              '',
            ].join('\n'),
          )
      } finally {
        state.close()
      }
    }),
})
