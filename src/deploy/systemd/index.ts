export { type FileKind, type GeneratedFile, SYSUSERS_FILE, systemdFiles } from './files.ts'
export { type InstallResult, installFiles } from './install.ts'
export { checkOptions, type SystemdOptions, systemdDefaults, type UnitLimits } from './options.ts'
export { colourEnvFile, modelUnit, UNIT } from './units.ts'
