/** What runs: one long-lived program with its arguments, config file, log and pid file. */
export interface ServiceSpec {
  /** prometheus | alertmanager; the unit is xrayops-<name>.service. */
  name: string
  description: string
  /** Absolute path of the binary. */
  command: string
  args: string[]
  /** The config file it reads: identifies our process (its command line names it). */
  config: string
  /** Folders it writes to. */
  writable: string[]
  pidFile: string
  logFile: string
}

/** Runs services as systemd units, or as background processes this CLI started. */
export interface Runner {
  kind: 'systemd' | 'process'
  /** Starts it, or makes a running one re-read its configuration (SIGHUP). */
  start(s: ServiceSpec): Promise<{ pid: number | null; reloaded: boolean }>
  /** The running process's pid, or null when it is not running (as started by us). */
  running(s: ServiceSpec): Promise<number | null>
  /** Stops it (only what we started); false when it was not running. */
  stop(s: ServiceSpec): Promise<boolean>
}
