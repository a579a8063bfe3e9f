import { healthPort } from '../../config/health-port.ts'
import { checkOptions, type SystemdOptions } from './options.ts'
import { colourEnvFile, gatewayUnit, modelTemplateUnit, UNIT, validateService, validateTimer } from './units.ts'

export type FileKind = 'unit' | 'sysusers' | 'env' | 'config'

/** One file that `xrayops systemd install` writes. */
export interface GeneratedFile {
  /** Where it goes on the target host (before any --root prefix). */
  path: string
  kind: FileKind
  content: string
  mode: number
  /** Written only when absent: it holds the administrator's (or deploy's) own settings. */
  keepExisting: boolean
}

export const SYSUSERS_FILE = '/etc/sysusers.d/xrayops.conf'

/**
 * A fixed system user from a sysusers.d snippet rather than DynamicUser=: the gateway, every
 * colour, the validation timer and an administrator's CLI (`sudo -u xrayops xrayops registry ...`)
 * share one state folder (SQLite database, model store, tokens), which needs one stable owner.
 */
export const sysusers = (o: SystemdOptions) =>
  [
    '# xrayops: the system user its units run as (systemd-sysusers(8)).',
    `u ${o.user} - "xrayops model server and gateway" /var/lib/${o.stateDir} /usr/sbin/nologin`,
    '# The model servers\' SupplementaryGroups= (GPU device nodes); a unit whose group is missing does',
    '# not start (216/GROUP). Created here when the distribution has not (render comes from udev).',
    'g video -',
    'g render -',
    '',
  ].join('\n')

export const colourEnv = (o: SystemdOptions, colour: string) =>
  `# xrayops-model@${colour}.service: where this colour listens. \`xrayops deploy\` adds MODEL_PATH here.\nHOST=${o.modelHost}\nPORT=${o.colours[colour]}\nXRAYOPS_HEALTH_PORT=${healthPort(o.colours[colour]!, undefined)}\n`

/** A starting config for the units; model paths come from each colour's environment file. */
export const starterConfig = () =>
  [
    '# xrayops model server configuration (written once by `xrayops systemd install`; edit freely).',
    '# Every key, its default and its meaning: `xrayops config print`, or deployment/config.yaml in the source.',
    '# Host, port and model of each colour come from model-<colour>.env beside this file.',
    'logging:',
    '  format: json',
    '',
  ].join('\n')

/** Every file of a systemd installation, units first. */
export function systemdFiles(opts: SystemdOptions, unitDir = '/etc/systemd/system'): GeneratedFile[] {
  const o = checkOptions(opts)
  const unit = (name: string, content: string): GeneratedFile => ({ path: `${unitDir}/${name}`, kind: 'unit', content, mode: 0o644, keepExisting: false })
  return [
    unit(UNIT.gateway, gatewayUnit(o)),
    unit(UNIT.model, modelTemplateUnit(o)),
    unit(UNIT.validate, validateService(o)),
    unit(UNIT.timer, validateTimer(o)),
    { path: SYSUSERS_FILE, kind: 'sysusers', content: sysusers(o), mode: 0o644, keepExisting: false },
    ...Object.keys(o.colours).map((c): GeneratedFile => ({ path: colourEnvFile(o, c), kind: 'env', content: colourEnv(o, c), mode: 0o644, keepExisting: true })),
    { path: o.config, kind: 'config', content: starterConfig(), mode: 0o644, keepExisting: true },
  ]
}
