import type { ArgDef } from 'citty'
import { resolveStateDir } from '../../../runtime/state-dir.ts'
import { commandConfig, configArg, intFlag, settingArgs } from '../../_shared.ts'

/** Flags every monitoring command takes. */
export const placeArgs = {
  ...settingArgs('state'),
  ...configArg,
  host: { type: 'string', description: 'address Prometheus and Alertmanager listen on (default 127.0.0.1, or what the last `up` used)' },
  'prometheus-port': { type: 'string', description: 'Prometheus port (default 9090, or what the last `up` used)' },
  'alertmanager-port': { type: 'string', description: 'Alertmanager port (default 9093, or what the last `up` used)' },
} as const satisfies Record<string, ArgDef>

/** Where monitoring lives: `<state.dir>/monitoring` (the state folder from the configuration), and its ports. */
export const place = async (args: { 'state-dir'?: string; config?: string; host?: string; 'prometheus-port'?: string; 'alertmanager-port'?: string }) => ({
  stateDir: resolveStateDir({ dir: (await commandConfig(args)).config.state.dir }).dir,
  host: args.host,
  prometheusPort: intFlag('prometheus-port', args['prometheus-port'], 1, 65535),
  alertmanagerPort: intFlag('alertmanager-port', args['alertmanager-port'], 1, 65535),
})
