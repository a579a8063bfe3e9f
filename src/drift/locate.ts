/** Which drift profile goes with a model: the one its manifest names (shipped model, or the registry's copy). */
import { XrayError } from '../errors/index.ts'
import { readManifest } from '../models/manifest.ts'
import { shippedModelManifest } from '../models/shipped.ts'
import { ModelStore } from '../registry/store.ts'
import type { State } from '../state/db.ts'
import { profileOfManifest, readProfile, type DriftProfile } from './profile.ts'

/**
 * The profile for `modelSha256`: `file` when given; else that of the manifest `model` names;
 * else the shipped model's when the sha256 is its, else the registry's manifest of that sha256.
 */
export async function locateProfile(state: State, modelSha256: string | undefined, opts: { file?: string; model?: string } = {}): Promise<{ profile: DriftProfile; file: string }> {
  if (opts.file) return { profile: await readProfile(opts.file), file: opts.file }
  const candidates = opts.model ? [opts.model] : [shippedModelManifest(), new ModelStore(state.paths.models).manifestPath(modelSha256 ?? '-')]
  for (const where of candidates) {
    const { manifest, manifestPath } = await readManifest(where).catch(() => ({ manifest: undefined, manifestPath: where }))
    if (!manifest || (!opts.model && manifest.sha256 !== modelSha256)) continue
    const found = await profileOfManifest(manifest, manifestPath)
    if (!found) throw new XrayError('DRIFT_PROFILE_MISSING', `model ${manifest.name} v${manifest.version} (${manifestPath}) names no drift profile: build one with scripts/build-drift-profile.ts, or pass --profile FILE`)
    return found
  }
  if (opts.model) throw new XrayError('MODEL_NOT_FOUND', `no model manifest at ${opts.model}`)
  throw new XrayError('DRIFT_PROFILE_MISSING', `no manifest found for model sha256 ${modelSha256?.slice(0, 12)} (neither the shipped model nor a registered one): pass --profile FILE or --model MANIFEST`)
}
