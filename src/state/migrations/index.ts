/**
 * Every schema change, in order. A later part adds its migration as the next file and the next
 * line here; a migration, once released, is never edited.
 */
import type { Migration } from '../migrate.ts'
import registry from './001-registry.ts'
import environments from './002-environments.ts'
import audit from './003-audit.ts'
import releases from './004-releases.ts'

export const migrations: readonly Migration[] = [registry, environments, audit, releases]
