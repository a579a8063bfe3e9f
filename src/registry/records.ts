/** Rows of the `models` table as the registry hands them out. */
import { compareVersions, parseVersion } from './names.ts'

export interface ModelRecord {
  id: number
  name: string
  version: string
  sha256: string
  bytes: number
  architecture: string
  accuracy: number | null
  notes: string | null
  warmupScore: number
  status: 'registered' | 'archived'
  registeredAt: string
  registeredBy: string
  archivedAt: string | null
}

export const SELECT_MODEL = `SELECT id, name, version, sha256, bytes, architecture, accuracy, notes, warmup_score AS warmupScore, status,
  registered_at AS registeredAt, registered_by AS registeredBy, archived_at AS archivedAt FROM models`

/** By name, then newest version first. */
export const byNameThenVersion = (a: ModelRecord, b: ModelRecord) =>
  a.name < b.name ? -1 : a.name > b.name ? 1 : compareVersions(parseVersion(b.version), parseVersion(a.version))

export const label = (r: Pick<ModelRecord, 'name' | 'version'>) => `${r.name}@${r.version}`
