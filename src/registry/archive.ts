/**
 * Archiving: a version leaves the deployable set (its files stay in the store). Never archived:
 * a model an environment runs, the last good release, and the last registered version of a name.
 */
import { XrayError } from '../errors/index.ts'
import { protectedModels } from '../state/environments.ts'
import { appendEvent } from '../state/events.ts'
import { label, type ModelRecord } from './records.ts'
import type { Registry } from './registry.ts'

export interface ArchiveSelection {
  /** Versions registered longer ago than this. */
  olderThanMs?: number
  /** One version (with `name` when several names have it). */
  version?: string
  name?: string
}

export interface ArchivePlan {
  archive: ModelRecord[]
  kept: { record: ModelRecord; why: string }[]
}

/** Why each of `candidates` must stay, given the current environments. */
function reasonsToKeep(reg: Registry, candidates: ModelRecord[]): Map<number, string> {
  const keep = protectedModels(reg.state.db)
  const ids = new Set(candidates.map((c) => c.id))
  for (const name of new Set(candidates.map((c) => c.name))) {
    const live = reg.list({ name })
    const remaining = live.filter((r) => !ids.has(r.id) || keep.has(r.id))
    // Never leave a name without a registered version: keep its newest.
    if (remaining.length === 0 && live.length) keep.set(live[0].id, `it is the last registered version of ${name}`)
  }
  return keep
}

export function planArchive(reg: Registry, sel: ArchiveSelection, now = new Date()): ArchivePlan {
  let candidates: ModelRecord[]
  if (sel.version !== undefined) {
    const r = reg.find(sel.version, sel.name)
    if (r.status === 'archived') return { archive: [], kept: [{ record: r, why: `already archived (${r.archivedAt})` }] }
    candidates = [r]
  } else {
    const cutoff = new Date(now.getTime() - (sel.olderThanMs ?? 0)).toISOString()
    candidates = reg.list({ name: sel.name }).filter((r) => r.registeredAt < cutoff)
  }
  const keep = reasonsToKeep(reg, candidates)
  const plan: ArchivePlan = { archive: [], kept: [] }
  for (const r of candidates) {
    const why = keep.get(r.id)
    if (why) plan.kept.push({ record: r, why })
    else plan.archive.push(r)
  }
  if (sel.version !== undefined && plan.kept.length)
    throw new XrayError('MODEL_IN_USE', `${label(plan.kept[0].record)} cannot be archived: ${plan.kept[0].why}`, { details: { model: label(plan.kept[0].record) } })
  return plan
}

/** Archives the plan's versions in one transaction, checking again that none became protected. */
export function applyArchive(reg: Registry, plan: ArchivePlan, actor: string, reason: string): ModelRecord[] {
  const db = reg.state.db
  return db.transaction(() => {
    const keep = reasonsToKeep(reg, plan.archive)
    const at = new Date().toISOString()
    for (const r of plan.archive) {
      const why = keep.get(r.id)
      if (why) throw new XrayError('MODEL_IN_USE', `${label(r)} cannot be archived: ${why}`)
      const changed = db.prepare("UPDATE models SET status = 'archived', archived_at = ? WHERE id = ? AND status = 'registered'").run(at, r.id).changes
      if (changed) appendEvent(db, { actor, action: 'model.archive', subject: label(r), reason, details: { sha256: r.sha256, registeredAt: r.registeredAt } }, new Date(at))
    }
    return plan.archive.map((r) => reg.byId(r.id))
  })
}
