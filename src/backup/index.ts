/** Backups of the state folder, and restoring them (docs/OPERATIONS.md, "Backup and restore"). */
export { createBackup, type BackupOptions, type BackupResult } from './create.ts'
export { backupDirOf, listBackups, pruneBackups, resolveBackup } from './locate.ts'
export { readManifest, type BackupManifest } from './manifest.ts'
export { stageRestore, type Staged } from './stage.ts'
export { commitRestore, type RestoreResult } from './restore.ts'
export { stateUsers, stopSupervised, type Holder } from './holders.ts'
