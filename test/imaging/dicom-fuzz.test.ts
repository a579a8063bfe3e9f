/**
 * Seeded fuzzing of the DICOM decoder (test/helpers/dicom-fuzz.ts): every case must end as a
 * decoded image or an XrayError with a 4xx status, with no identifier in the error and no change
 * to the process's exit status. The cases run in a child process so that a hang fails the test
 * through the child's timeout instead of stalling the run.
 */
import { spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { decodeImage } from '../../src/imaging/decode.ts'
import { XrayError } from '../../src/errors/index.ts'
import { TS, imageElements, writeDicom } from '../helpers/dicom.ts'
import { nestedSequences } from '../helpers/dicom-fuzz.ts'

const root = fileURLToPath(new URL('../..', import.meta.url))
const CASES = 2000

describe('DICOM fuzzing', () => {
  it(`${CASES} mutated files (seed 20261201): 4xx or an image, never a crash, hang or other error`, () => {
    const child = spawnSync(process.execPath, ['--import', './bin/register.mjs', 'test/helpers/dicom-fuzz.ts', '20261201', String(CASES)], {
      cwd: root,
      encoding: 'utf8',
      timeout: 300_000,
      env: { ...process.env, CONSOLA_LEVEL: '0' },
    })
    expect(child.error, 'the fuzz run did not finish within 300 s').toBeUndefined()
    expect(child.status, child.stderr).toBe(0)
    const summary = JSON.parse(child.stdout.trim().split('\n').at(-1)!)
    console.log(`DICOM fuzz: ${JSON.stringify(summary.byCode)}; slowest case ${summary.slowest.ms} ms (${summary.slowest.kind})`)
    expect(summary.bad).toEqual([])
    expect(summary.leaked).toEqual([])
    expect(summary.exitCode).toBe(0)
    const total = Object.values(summary.byCode as Record<string, number>).reduce((a, b) => a + b, 0)
    expect(total).toBe(CASES)
    // The mutations reach every kind of refusal, and some files still decode.
    for (const code of ['TRUNCATED_IMAGE', 'CORRUPT_IMAGE', 'UNSUPPORTED_FORMAT', 'TOO_MANY_PIXELS', 'IMAGE_TOO_LARGE', 'IMAGE_TOO_SMALL', 'decoded'])
      expect(summary.byCode[code], code).toBeGreaterThan(0)
  })

  it.each([
    [true, true],
    [false, true],
    [true, false],
    [false, false],
  ])('sequences nested 100000 deep (undefined length %s, explicit VR %s): 422', async (undefinedLength, explicit) => {
    const bytes = writeDicom({
      transferSyntax: explicit ? TS.explicitLE : TS.implicitLE,
      elements: imageElements({ rows: 16, columns: 16 }),
      raw: nestedSequences(100_000, undefinedLength, explicit),
      pixels: new Uint8Array(256),
      pixelVR: 'OB',
    })
    const e = await decodeImage(bytes).catch((x: unknown) => x)
    expect(e).toBeInstanceOf(XrayError)
    expect([(e as XrayError).status, (e as XrayError).message]).toEqual([422, 'DICOM data cannot be decoded: data set: sequences nested too deeply to read'])
  })
})
