/**
 * The reference profile of the training distribution, shipped beside the model
 * (`<model>.drift.json`, named with its sha256 in the model manifest's `drift` field) and built
 * by scripts/build-drift-profile.ts through the prediction service, so its numbers are computed
 * as production's audit records are.
 */
import { createHash } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import path from 'node:path'
import { XrayError } from '../errors/index.ts'
import type { ModelManifest } from '../models/manifest.ts'
import { CONTINUOUS, geometry, pooledHistogram, positiveShare, type ContinuousFeature, type Observation } from './features.ts'
import { binShares, quantile } from './stats.ts'

export const PROFILE_FORMAT = 'xrayops-drift-profile/1'
/** Quantiles kept per continuous feature (every 0.5%): the KS reference CDF is exact at each. */
export const QUANTILES = 200
/** Bins of the continuous features' PSI: the reference's deciles. */
export const PSI_BINS = 10

export interface ContinuousReference {
  describe: string
  /** Interior bin edges (the reference deciles) and the reference's share in each bin. */
  edges: number[]
  shares: number[]
  /** Q(0), Q(1/200), ..., Q(1). */
  quantiles: number[]
  mean: number
  std: number
}

export interface DriftProfile {
  format: typeof PROFILE_FORMAT
  model: { name: string; version: string; sha256: string }
  source: { description: string; images: number; labels: Record<string, number>; builtAt: string; builder: string }
  positiveLabel: string
  /** Images in the reference (the KS reference size). */
  n: number
  intensity: { describe: string; shares: number[] }
  continuous: Record<ContinuousFeature, ContinuousReference>
  positiveRate: number
  /** Described, not compared. */
  geometry: ReturnType<typeof geometry>
}

const r6 = (x: number) => Number(x.toPrecision(6))

export function buildProfile(obs: readonly Observation[], meta: { model: DriftProfile['model']; positiveLabel: string; source: DriftProfile['source'] }): DriftProfile {
  const continuous = {} as Record<ContinuousFeature, ContinuousReference>
  for (const [name, f] of Object.entries(CONTINUOUS) as [ContinuousFeature, (typeof CONTINUOUS)[ContinuousFeature]][]) {
    const values = obs.map(f.of).sort((a, b) => a - b)
    const edges = Array.from({ length: PSI_BINS - 1 }, (_, i) => r6(quantile(values, (i + 1) / PSI_BINS)))
    const mean = values.reduce((a, b) => a + b, 0) / values.length
    const std = Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / values.length)
    continuous[name] = {
      describe: f.describe,
      edges,
      shares: binShares(edges, values).map(r6),
      quantiles: Array.from({ length: QUANTILES + 1 }, (_, i) => r6(quantile(values, i / QUANTILES))),
      mean: r6(mean),
      std: r6(std),
    }
  }
  return {
    format: PROFILE_FORMAT,
    model: meta.model,
    source: meta.source,
    positiveLabel: meta.positiveLabel,
    n: obs.length,
    intensity: { describe: 'pooled histogram of gray levels on the model input grid, 32 bins of 8 levels', shares: pooledHistogram(obs).map(r6) },
    continuous,
    positiveRate: r6(positiveShare(obs, meta.positiveLabel)),
    geometry: geometry(obs),
  }
}

export const sha256Of = (b: Uint8Array | string) => createHash('sha256').update(b).digest('hex')

/** Checks a profile's bytes (from `file`, for messages); `sha256` (from a manifest) must match when given. */
export function parseProfile(bytes: Uint8Array, file: string, sha256?: string): DriftProfile {
  if (sha256 && sha256Of(bytes) !== sha256) throw new XrayError('INVALID_FILE', `drift profile ${file} has sha256 ${sha256Of(bytes)}, the manifest says ${sha256}`)
  let p: DriftProfile
  try {
    p = JSON.parse(Buffer.from(bytes).toString('utf8')) as DriftProfile
  } catch (cause) {
    throw new XrayError('INVALID_FILE', `drift profile ${file} is not valid JSON`, { cause })
  }
  if (p?.format !== PROFILE_FORMAT || !p.intensity || !p.continuous || !p.model?.sha256) throw new XrayError('INVALID_FILE', `${file} is not a drift profile (format ${PROFILE_FORMAT})`)
  return p
}

/** Reads and checks a profile file. */
export async function readProfile(file: string, sha256?: string): Promise<DriftProfile> {
  const bytes = await readFile(file).catch((cause: unknown) => {
    throw new XrayError('DRIFT_PROFILE_MISSING', `drift profile not found: ${file}`, { cause })
  })
  return parseProfile(bytes, file, sha256)
}

/** The profile a model manifest names (`drift.file`, relative to the manifest), or undefined when it names none. */
export async function profileOfManifest(manifest: ModelManifest, manifestPath: string): Promise<{ profile: DriftProfile; file: string } | undefined> {
  if (!manifest.drift) return undefined
  const file = path.resolve(path.dirname(manifestPath), manifest.drift.file)
  return { profile: await readProfile(file, manifest.drift.sha256), file }
}
