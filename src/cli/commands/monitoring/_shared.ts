import type { ArgDef } from 'citty'
import { defaultStateDir } from '../../../runtime/state-dir.ts'
import { intFlag } from '../../usage.ts'

/** Flags every monitoring command takes. */
export const placeArgs = {
  'state-dir': { type: 'string', description: 'state folder (monitoring files, data, pid files and logs go to <dir>/monitoring); default: $XRAYOPS_STATE_DIR or ~/.local/state/xrayops' },
  host: { type: 'string', description: 'address Prometheus and Alertmanager listen on (default 127.0.0.1, or what the last `up` used)' },
  'prometheus-port': { type: 'string', description: 'Prometheus port (default 9090, or what the last `up` used)' },
  'alertmanager-port': { type: 'string', description: 'Alertmanager port (default 9093, or what the last `up` used)' },
} as const satisfies Record<string, ArgDef>

export const place = (args: { 'state-dir'?: string; host?: string; 'prometheus-port'?: string; 'alertmanager-port'?: string }) => ({
  stateDir: args['state-dir'] ?? defaultStateDir(),
  host: args.host,
  prometheusPort: intFlag('prometheus-port', args['prometheus-port'], 1, 65535),
  alertmanagerPort: intFlag('alertmanager-port', args['alertmanager-port'], 1, 65535),
})
