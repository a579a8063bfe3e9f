/**
 * What releases need from whatever runs the services: systemd units on a host that boots with
 * systemd (SystemctlRunner), or xrayops' own process supervisor elsewhere (development, CI).
 * A service is named `gateway` or `model@<colour>`.
 */
export type ServiceName = 'gateway' | `model@${string}`

export type ServiceState = 'active' | 'activating' | 'deactivating' | 'reloading' | 'inactive' | 'failed' | 'unknown'

export interface ServiceStatus {
  name: ServiceName
  state: ServiceState
  /** The runner's own finer state (systemd's SubState: running, start-post, dead, ...). */
  detail: string
  /** Main process id, when it runs. */
  pid: number | null
  /** When it last entered `active` (ISO 8601), when known. */
  since: string | null
}

export interface ServiceRunner {
  readonly kind: 'systemd' | 'process'
  /** Starts the service; resolves once it is ready (systemd: after ExecStartPost's health wait). */
  start(name: ServiceName): Promise<void>
  /** Stops it, letting it drain. */
  stop(name: ServiceName): Promise<void>
  restart(name: ServiceName): Promise<void>
  status(name: ServiceName): Promise<ServiceStatus>
}

export const isServiceName = (s: string): s is ServiceName => s === 'gateway' || /^model@[a-z][a-z0-9-]{0,30}$/.test(s)
