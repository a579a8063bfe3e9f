import { defineCommand } from 'citty'
import { parseDeviceMode } from '../../config/device.ts'
import { XrayError } from '../../errors/index.ts'
import { formatReport } from '../../eval/format.ts'
import { readGolden } from '../../eval/golden.ts'
import { evaluate } from '../../eval/run.ts'
import { Pipeline } from '../../inference/pipeline.ts'
import { resizeMethods, type ResizeMethod } from '../../preprocess/params.ts'
import { deviceArgs, guard, jsonArg } from '../_shared.ts'
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
    batch: { type: 'string', description: 'images per batch', default: '16' },
    resize: { type: 'string', description: `resize method: ${resizeMethods.join(' | ')}` },
    ...deviceArgs,
    ...jsonArg,
  },
  run: ({ args }) =>
    guard(async () => {
      const resize = args.resize as ResizeMethod | undefined
      if (resize && !resizeMethods.includes(resize))
        throw new XrayError('CONFIG_INVALID', `--resize ${resize} is not valid; use ${resizeMethods.join(', ')}`)
      const batchSize = Number(args.batch)
      if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 256) throw new XrayError('CONFIG_INVALID', `--batch ${args.batch} must be an integer in 1..256`)
      const golden = args.golden ? await readGolden(args.golden) : undefined
      const pipeline = await Pipeline.create({ device: parseDeviceMode(args.device ?? process.env.DEVICE, args.device ? '--device' : 'DEVICE'), model: args.model, resize })
      const bar = args.json ? undefined : progressBar('eval')
      const report = await evaluate(pipeline, args.dir, { batchSize, golden, onProgress: bar?.update })
      bar?.done()
      await pipeline.close()
      const m = pipeline.model.manifest
      if (args.json) {
        const { predictions: _p, ...summary } = report
        process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`)
      } else process.stdout.write(`${formatReport(report, m.positiveLabel, m.labels.find((l) => l !== m.positiveLabel)!)}\n`)
      const limit = args['max-diff'] === undefined ? undefined : Number(args['max-diff'])
      if (limit !== undefined && report.golden && report.golden.maxAbsDiff > limit) return 1
      return report.failures.length ? 1 : 0
    }),
})
