/**
 * Every schema change, in order. A later part adds its migration as the next file and the next
 * line here; a migration, once released, is never edited.
 */
import type { Migration } from '../migrate.ts'
import registry from './001-registry.ts'
import environments from './002-environments.ts'
import releases from './003-releases.ts'

export const migrations: readonly Migration[] = [registry, environments, releases]
