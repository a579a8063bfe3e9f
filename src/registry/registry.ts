/**
 * The model registry: registered versions in the state database, their files in the model store,
 * every change an event. Loading and checking a model is the caller's part (src/inference/
 * inspect.ts); this module never loads a model.
 */
import type { ModelManifest } from '../models/manifest.ts'
import { XrayError } from '../errors/index.ts'
import type { State } from '../state/db.ts'
import { appendEvent, listEvents, type Event } from '../state/events.ts'
import { buildManifest, type CheckedModel } from './manifest.ts'
import { checkName, parseVersion } from './names.ts'
import { byNameThenVersion, label, SELECT_MODEL, type ModelRecord } from './records.ts'
import { ModelStore, sha256 } from './store.ts'

export interface Registration {
  name: string
  version: string
  bytes: Uint8Array
  sha256: string
  checked: CheckedModel
  /** Labels, threshold, preprocessing and warm-up image label/tolerance (the shipped model's). */
  template: ModelManifest
  warmupImage: { name: string; bytes: Uint8Array }
  accuracy?: number
  notes?: string
  /** The model's drift profile (scripts/build-drift-profile.ts), already checked to be this model's. */
  driftProfile?: Uint8Array
  actor: string
  reason?: string
}

export class Registry {
  readonly store: ModelStore
  constructor(readonly state: State) {
    this.store = new ModelStore(state.paths.models)
  }

  private get db() {
    return this.state.db
  }

  /** The refusals that need no model loading: name, version and duplicates. */
  precheck(name: string, version: string, sha: string): { name: string; version: string } {
    checkName(name)
    const v = parseVersion(version).text
    this.refuseDuplicates(name, v, sha)
    return { name, version: v }
  }

  private refuseDuplicates(name: string, version: string, sha: string): void {
    const same = this.db.prepare(`${SELECT_MODEL} WHERE name = ? AND version = ?`).get<ModelRecord>(name, version)
    if (same) throw new XrayError('DUPLICATE_MODEL', `${label(same)} is already registered (sha256 ${same.sha256.slice(0, 12)}, ${same.registeredAt}); versions are never replaced: register a new version`)
    const bytes = this.db.prepare(`${SELECT_MODEL} WHERE sha256 = ?`).get<ModelRecord>(sha)
    if (bytes) throw new XrayError('DUPLICATE_MODEL', `these exact bytes (sha256 ${sha.slice(0, 12)}) are already registered as ${label(bytes)}${bytes.status === 'archived' ? ' (archived)' : ''}`)
  }

  register(r: Registration): ModelRecord {
    const { name, version } = this.precheck(r.name, r.version, r.sha256)
    this.store.tidy()
    this.store.putModel(r.sha256, r.bytes)
    const warmupFile = this.store.putWarmup(r.warmupImage.name, r.warmupImage.bytes)
    const drift = r.driftProfile ? { file: this.store.putDriftProfile(r.sha256, r.driftProfile), sha256: sha256(r.driftProfile) } : undefined
    const at = new Date().toISOString()
    const manifest = buildManifest({ name, version, sha256: r.sha256, bytes: r.bytes.length, checked: r.checked, template: r.template, warmupFile, accuracy: r.accuracy, notes: r.notes, at, by: r.actor, drift })
    const id = this.db.transaction(() => {
      // Checked again under the write lock: another process may have registered meanwhile.
      this.refuseDuplicates(name, version, r.sha256)
      this.store.putManifest(r.sha256, manifest)
      const row = this.db
        .prepare(
          `INSERT INTO models (name, version, sha256, bytes, architecture, accuracy, notes, warmup_score, registered_at, registered_by)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(name, version, r.sha256, r.bytes.length, r.checked.architecture, r.accuracy ?? null, r.notes ?? null, manifest.warmup!.score, at, r.actor)
      appendEvent(this.db, {
        actor: r.actor,
        action: 'model.register',
        subject: `${name}@${version}`,
        reason: r.reason ?? r.notes ?? null,
        details: { sha256: r.sha256, architecture: r.checked.architecture, accuracy: r.accuracy ?? null, warmupScore: manifest.warmup!.score, ...(drift ? { driftProfile: drift.sha256 } : {}) },
      }, new Date(at))
      return Number(row.lastInsertRowid)
    })
    return this.byId(id)
  }

  byId(id: number): ModelRecord {
    return this.db.prepare(`${SELECT_MODEL} WHERE id = ?`).get<ModelRecord>(id)!
  }

  list(opts: { name?: string; includeArchived?: boolean } = {}): ModelRecord[] {
    const rows = this.db.prepare(`${SELECT_MODEL} WHERE (? IS NULL OR name = ?) AND (? OR status = 'registered')`).all<ModelRecord>(opts.name ?? null, opts.name ?? null, opts.includeArchived ? 1 : 0)
    return rows.sort(byNameThenVersion)
  }

  /** The version (with or without a leading v), under `name` when several names have it. */
  find(version: string, name?: string): ModelRecord {
    const v = parseVersion(version).text
    const rows = this.db.prepare(`${SELECT_MODEL} WHERE version = ? AND (? IS NULL OR name = ?)`).all<ModelRecord>(v, name ?? null, name ?? null)
    if (rows.length === 0) throw new XrayError('MODEL_VERSION_NOT_FOUND', `no registered model has version ${v}${name ? ` under the name ${name}` : ''} (xrayops registry list shows them)`)
    if (rows.length > 1) throw new XrayError('AMBIGUOUS_VERSION', `version ${v} is registered under several names (${rows.map((r) => r.name).join(', ')}): pass --name`)
    return rows[0]
  }

  manifestPath(r: ModelRecord): string {
    return this.store.manifestPath(r.sha256)
  }

  /** Registry events (model.*), newest first. */
  history(opts: { limit?: number; all?: boolean } = {}): Event[] {
    return listEvents(this.db, { prefix: opts.all ? undefined : 'model.', limit: opts.limit })
  }
}
