import { defineCommand } from 'citty'
import { formatReport } from '../../eval/format.ts'
import { readGolden } from '../../eval/golden.ts'
import { evaluate } from '../../eval/run.ts'
import { serviceOptions } from '../../inference/options.ts'
import { PredictionService } from '../../inference/service.ts'
import { resizeMethods, type ResizeMethod } from '../../preprocess/params.ts'
import { commandConfig, configArg, guard, jsonArg, numberArg, settingArgs, usageError } from '../_shared.ts'
import { progressBar } from '../progress.ts'

export default defineCommand({
  meta: {
    name: 'eval',
    description: 'Evaluate the model on DIR/NORMAL and DIR/PNEUMONIA: accuracy, sensitivity, specificity, AUC, confusion matrix, images/s',
  },
  args: {
    dir: { type: 'positional', description: 'folder with one subfolder per label (NORMAL, PNEUMONIA)', required: true },
    golden: { type: 'string', description: 'CSV of expected P(pneumonia) (path,label,p_pneumonia): report max and mean |dP|' },
    'max-diff': { type: 'string', description: 'with --golden: exit 1 when max |dP| exceeds this' },
    batch: { type: 'string', description: 'most images per model run', default: '16' },
    resize: { type: 'string', description: `resize method: ${resizeMethods.join(' | ')}` },
    ...settingArgs('model.path', 'model.device', 'gpu', 'performance.shrinkOnLoad', 'performance.cpuWorkers', 'performance.cpuThreads', 'performance.cpuBatchSize'),
    ...configArg,
    ...jsonArg,
  },
  run: ({ args }) =>
    guard(async () => {
      const resize = args.resize as ResizeMethod | undefined
      if (resize && !resizeMethods.includes(resize)) throw usageError(`--resize ${resize} is not valid: expected one of ${resizeMethods.join(', ')}`)
      const batch = numberArg(args, 'batch', (n) => Number.isInteger(n) && n >= 1 && n <= 256, 'an integer 1-256')
      const maxDiff = args['max-diff'] === undefined ? undefined : numberArg(args, 'max-diff', (n) => n >= 0, 'a number >= 0')
      const golden = args.golden ? await readGolden(args.golden) : undefined
      const { config } = await commandConfig(args)
      const options = serviceOptions(config)
      const service = await PredictionService.create({
        ...options,
        cpu: { ...options.cpu, maxBatch: batch }, // --batch is the run size on the CPU too
        architecture: undefined, // eval takes any model it is given
        resize,
        cacheSize: 0,
        batching: { maxBatch: batch, maxDelayMs: 0 },
      })
      const bar = args.json ? undefined : progressBar('eval')
      const report = await evaluate(service, args.dir, { concurrency: 2 * batch, golden, onProgress: bar?.update })
      bar?.done()
      await service.close()
      const m = service.model.manifest
      if (args.json) {
        const { predictions: _p, ...summary } = report
        process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`)
      } else process.stdout.write(`${formatReport(report, m.positiveLabel, m.labels.find((l) => l !== m.positiveLabel)!)}\n`)
      if (maxDiff !== undefined && report.golden && report.golden.maxAbsDiff > maxDiff) return 1
      return report.failures.length ? 1 : 0
    }),
})
