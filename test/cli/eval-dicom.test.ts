/** `xrayops eval` reads DICOM files too: the 8 golden X-rays wrapped by img2dcm score as the JPEGs do. */
import { execFile, execFileSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { expect, it } from 'vitest'
import { listLabelledImages } from '../../src/eval/dataset.ts'
import { fixture, goldenRows, tempDir } from '../helpers/fixtures.ts'
import { describeWith, tool } from '../helpers/require.ts'

const bin = fileURLToPath(new URL('../../bin/xrayops.mjs', import.meta.url))

describeWith(tool('img2dcm', 'apt-get install dcmtk', ['--version']), 'xrayops eval on DICOM', () => {
  it('lists .dcm files and gives the golden P(pneumonia) of the JPEGs they wrap', async () => {
    const dir = tempDir('eval-dicom')
    const golden = goldenRows()
    for (const [key] of golden) {
      fs.mkdirSync(path.join(dir, path.dirname(key)), { recursive: true })
      execFileSync('img2dcm', [fixture(`xray-224/${key}`), path.join(dir, `${key}.dcm`)], { stdio: 'ignore' })
    }
    fs.writeFileSync(path.join(dir, 'NORMAL', 'notes.txt'), 'not an image')
    expect((await listLabelledImages(dir, ['NORMAL', 'PNEUMONIA'])).map((i) => i.key)).toEqual(golden.map(([k]) => `${k}.dcm`).sort())

    // The golden rows, keyed by the DICOM names.
    const csv = path.join(dir, 'golden-dicom.csv')
    fs.writeFileSync(csv, ['path,label,p_pneumonia', ...golden.map(([key, p]) => `test/${key}.dcm,${path.dirname(key)},${p}`)].join('\n'))
    const r = await promisify(execFile)(process.execPath, [bin, 'eval', dir, '--golden', csv, '--max-diff', '1e-4', '--json', '--device', 'cpu'])
    const report = JSON.parse(r.stdout)
    expect(report.failures).toEqual([])
    expect(report.confusion).toEqual({ tp: 3, tn: 3, fp: 1, fn: 1 })
    expect(report.golden.matched).toBe(8)
    expect(report.golden.maxAbsDiff).toBeLessThan(1e-4)
  })
})
