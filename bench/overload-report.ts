/** The markdown of `npm run bench:overload`: one table, with the acceptance checks beside the numbers. */
export interface OverloadReport {
  date: string
  machine: string
  command: string
  images: string
  capacity: number
  rate: number
  seconds: number
  sendSeconds: number
  sent: number
  notSent: number
  ok: number
  overloaded: number
  other: number
  otherStatuses: string[]
  resetCodes: string[]
  resets: number
  /** The kernel's accept-queue overflows during the run (all listeners of the host), or null off Linux. */
  listenOverflows: number | null
  admittedP50Ms: number
  admittedP99Ms: number
  probes: number
  probeFailures: number
  probeP99Ms: number
  probeMaxMs: number
  probesOver1s: number
  idleRssMiB: number
  peakRssMiB: number
  budgetMiB: number
  afterRssMiB: number
  settleSeconds: number
  heapIdleMiB: { heap: number; external: number }
  heapAfterMiB: { heap: number; external: number }
  recoveryS: number
  recoveredBy: string
  env: string[]
}

const yes = (ok: boolean) => (ok ? 'yes' : '**no**')
const ms = (n: number) => `${Math.round(n)} ms`

export function printOverload(r: OverloadReport): void {
  const rows: [string, string, string][] = [
    ['capacity (closed loop, concurrency 4)', `${r.capacity} req/s`, ''],
    ['open loop', `${r.rate} req/s for ${r.seconds} s (sent over ${r.sendSeconds} s)`, ''],
    ['requests sent / not sent (client bound)', `${r.sent} / ${r.notSent}`, ''],
    ['200', String(r.ok), ''],
    ['503 OVERLOADED', String(r.overloaded), ''],
    ['other statuses', `${r.other}${r.otherStatuses.length ? ` (${r.otherStatuses.join(', ')})` : ''}`, yes(r.other === 0)],
    ['connection resets', `${r.resets}${r.resetCodes.length ? ` (${r.resetCodes.join(', ')})` : ''}`, yes(r.resets === 0)],
    ['accept-queue overflows (host-wide, during the run)', r.listenOverflows === null ? 'not known' : String(r.listenOverflows), r.listenOverflows === null ? '' : yes(r.listenOverflows === 0)],
    ['admitted (200) latency p50 / p99', `${ms(r.admittedP50Ms)} / ${ms(r.admittedP99Ms)}`, ''],
    ['health listener probes (every 100 ms, new connection)', `${r.probes}, ${r.probeFailures} not 200`, yes(r.probeFailures === 0)],
    ['probe latency p99 / max', `${ms(r.probeP99Ms)} / ${ms(r.probeMaxMs)}`, yes(r.probesOver1s === 0)],
    ['RSS idle / peak', `${r.idleRssMiB} / ${r.peakRssMiB} MiB`, `peak - idle ${r.peakRssMiB - r.idleRssMiB} MiB vs budget ${r.budgetMiB} MiB: ${yes(r.peakRssMiB - r.idleRssMiB <= r.budgetMiB)}`],
    [`RSS ${r.settleSeconds} s after the overload`, `${r.afterRssMiB} MiB`, `${r.afterRssMiB - r.idleRssMiB >= 0 ? '+' : ''}${r.afterRssMiB - r.idleRssMiB} MiB over idle`],
    ['V8 heap / external (Buffers) idle, then after', `${r.heapIdleMiB.heap} / ${r.heapIdleMiB.external} MiB, then ${r.heapAfterMiB.heap} / ${r.heapAfterMiB.external} MiB`, ''],
    ['recovery: first 200 after the overload stops', `${r.recoveryS} s (${r.recoveredBy})`, yes(r.recoveryS <= 2)],
  ]
  console.log(`${r.date} · ${r.machine}\n\`${r.command}\`${r.env.length ? ` (server environment: ${r.env.join(' ')})` : ''} · ${r.images}\n`)
  console.log('| | measured | holds |\n|---|---|---|')
  for (const [k, v, c] of rows) console.log(`| ${k} | ${v} | ${c} |`)
}
