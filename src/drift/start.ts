import { logger } from '../log.ts'
import type { Audit } from '../audit/index.ts'
import type { PredictionService } from '../inference/service.ts'
import { DriftMonitor } from './monitor.ts'
import { profileOfManifest } from './profile.ts'

const log = logger('drift')

/** The periodic drift check over the audit trail of `service`'s model, when that model has a training profile. */
export async function startDriftMonitor(service: PredictionService, audit: Audit, opts: { window: number; intervalMs: number }): Promise<DriftMonitor | undefined> {
  if (!audit.state) return undefined
  const { model } = service
  try {
    const found = await profileOfManifest(model.manifest, model.manifestPath)
    if (!found) {
      log.info(`model ${model.manifest.name} v${model.manifest.version} has no drift profile: the drift check is off`)
      return undefined
    }
    return new DriftMonitor(audit.state.db, found.profile, audit.metrics, opts.window, opts.intervalMs)
  } catch (e) {
    log.warn(`drift check off: ${(e as Error).message}`)
    return undefined
  }
}
