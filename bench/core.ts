/**
 * `npm run bench [-- --quick] [--json] [--out FILE] [--only decode,preprocess,inference,e2e,webgpu] [--image X.jpeg]`
 *
 * The core of a prediction, measured in one run on this machine: decoding a real X-ray JPEG,
 * preprocessing (TypeScript vs WGSL), inference (onnxruntime-node CPU vs onnxruntime-web wasm),
 * end to end on the CPU, and the WebGPU engine. Prints a markdown report (or JSON with --json);
 * --out also writes the JSON, raw samples included, to FILE. Progress goes to stderr.
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { parseArgs } from 'node:util'
import { useLocalLavapipe } from './root.ts'

process.env.CONSOLA_LEVEL ??= '1' // warnings and errors only (to stderr): stdout is the report
process.env.XDG_RUNTIME_DIR ??= '/tmp'
useLocalLavapipe()

const SECTIONS = ['decode', 'preprocess', 'inference', 'e2e', 'webgpu'] as const
type Section = (typeof SECTIONS)[number]

const usage = `usage: npm run bench -- [--quick] [--json] [--out FILE] [--only ${SECTIONS.join(',')}] [--image FILE.jpeg]
  --quick   few repetitions (a smoke test, ~1 min)
  --json    print the JSON report instead of markdown
  --out     also write the JSON report (raw samples included) to FILE
  --only    run these sections only (comma-separated)
  --image   the X-ray JPEG to use (default: ../shared/data/kermany/test-original/NORMAL/IM-0001-0001.jpeg,
            else test/fixtures/xray-original/IM-0001-0001.jpeg)`

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
    out: { type: 'string' },
    only: { type: 'string' },
    image: { type: 'string' },
    help: { type: 'boolean', short: 'h', default: false },
  },
})
if (values.help) {
  process.stdout.write(`${usage}\n`)
  process.exit(0)
}
const only = (values.only?.split(',').map((s) => s.trim()).filter(Boolean) ?? [...SECTIONS]) as Section[]
const unknown = only.filter((s) => !SECTIONS.includes(s))
if (unknown.length) {
  process.stderr.write(`unknown section(s): ${unknown.join(', ')}\n${usage}\n`)
  process.exit(1)
}

const t0 = performance.now()
const log = (m: string) => process.stderr.write(`[bench ${((performance.now() - t0) / 1000).toFixed(0).padStart(3)}s] ${m}\n`)

const { describeMachine } = await import('./machine.ts')
const { createContext } = await import('./context.ts')
const { reportMarkdown } = await import('./report.ts')
type Table = import('./report.ts').Table

const machine = await describeMachine()
const ctx = await createContext({ quick: values.quick, image: values.image, log })
const tables: Table[] = []
const want = (s: Section) => only.includes(s)
/** Pushes a section's tables, each stamped with the load average around the section. */
const section = async (name: string, run: () => Promise<Table | Table[]>) => {
  log(name)
  const before = os.loadavg()[0]
  const out = [await run()].flat()
  for (const t of out) t.load = [before, os.loadavg()[0]]
  tables.push(...out)
}

if (want('decode')) await section('decode', async () => (await import('./decode.ts')).benchDecode(ctx))
let adapter: { name: string; fallback: boolean } | undefined
if (want('preprocess') || want('webgpu')) {
  const { openGpu } = await import('./gpu.ts')
  const gpu = await openGpu()
  if ('device' in gpu) {
    adapter = { name: gpu.name, fallback: gpu.summary.fallback }
    machine.adapter = { description: gpu.name, fallback: gpu.summary.fallback }
  } else log(`no WebGPU adapter: ${gpu.skipped}`)
  if (want('preprocess')) await section('preprocess', async () => (await import('./preprocess.ts')).benchPreprocess(ctx, gpu))
  if ('device' in gpu) gpu.device.destroy()
}
if (want('inference')) await section('inference', async () => (await import('./inference.ts')).benchInference(ctx))
if (want('e2e')) await section('end to end', async () => (await import('./end-to-end.ts')).benchEndToEnd(ctx))
// Last: the WebGPU engine sets V8's --liftoff-only for the rest of this process.
if (want('webgpu')) await section('webgpu', async () => (await import('./webgpu.ts')).benchWebGpu(ctx, adapter))

machine.loadEnd = os.loadavg()[0]
if (machine.adapter)
  machine.gpu = `${machine.gpu === 'none' ? 'none' : machine.gpu}; WebGPU adapter: ${machine.adapter.description}${machine.adapter.fallback ? ' (software, fallback adapter)' : ''}`
const args = process.argv.slice(2)
const report = {
  tool: 'xrayops bench/core.ts',
  date: new Date().toISOString(),
  command: `npm run bench${args.length ? ` -- ${args.join(' ')}` : ''}`,
  options: { quick: values.quick, only, image: ctx.imagePath },
  machine,
  seconds: (performance.now() - t0) / 1000,
  tables,
}
if (values.out) {
  mkdirSync(path.dirname(path.resolve(values.out)), { recursive: true })
  writeFileSync(values.out, `${JSON.stringify(report, null, 2)}\n`)
  log(`wrote ${values.out}`)
}
process.stdout.write(values.json ? `${JSON.stringify(report, null, 2)}\n` : `${reportMarkdown(report)}\n`)
log(`done in ${report.seconds.toFixed(0)} s`)
// Dawn and onnxruntime keep native handles open; the report is written, so leave now.
process.exit(0)
