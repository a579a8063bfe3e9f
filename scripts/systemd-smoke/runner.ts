/** SystemctlRunner against a real systemd (scripts/systemd-smoke/run.sh runs this inside its namespaces). */
import type { ServiceName } from '../../src/deploy/runner.ts'
import { SystemctlRunner } from '../../src/deploy/systemctl.ts'

const r = new SystemctlRunner()
const show = async (n: ServiceName) => console.log(JSON.stringify(await r.status(n)))
const timed = async (what: string, f: () => Promise<void>) => {
  const t = Date.now()
  await f()
  console.log(`${what}: returned after ${Date.now() - t} ms`)
}
await show('model@blue')
await timed('restart model@blue', () => r.restart('model@blue'))
await show('model@blue')
await timed('stop model@blue', () => r.stop('model@blue'))
await show('model@blue')
await timed('start model@green', () => r.start('model@green'))
await show('model@green')
// The gateway unit starts `xrayops gateway`: an error that names the unit when that fails.
await r.start('gateway').then(
  () => console.log('gateway started'),
  (e: Error & { code?: string }) => console.log(`gateway: ${e.code}: ${e.message.split('\n')[0]}`),
)
await show('gateway')
