/**
 * A DICOM that wraps a test JPEG (dcmtk's img2dcm: JPEG baseline, 8-bit, no windowing) is the
 * same image to the model: same pixels, same P(pneumonia).
 */
import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { decodeImage } from '../../src/imaging/decode.ts'
import { PredictionService } from '../../src/inference/service.ts'
import { fixture, readFixture, tempDir } from '../helpers/fixtures.ts'
import { describeWith, tool } from '../helpers/require.ts'

const jpegs = ['person100_bacteria_475.jpeg', 'IM-0001-0001.jpeg']

describeWith(tool('img2dcm', 'apt-get install dcmtk', ['--version']), 'DICOM-wrapped JPEG', () => {
  let cpu: PredictionService
  beforeAll(async () => {
    cpu = await PredictionService.create({ device: 'cpu' })
  })
  afterAll(() => cpu?.close())

  it('gives the same pixels and the same P(pneumonia) as the JPEG', async () => {
    const dir = tempDir('img2dcm')
    const inputs = jpegs.flatMap((name) => {
      const dcm = path.join(dir, `${name}.dcm`)
      execFileSync('img2dcm', [fixture(`xray-original/${name}`), dcm], { stdio: 'ignore' })
      return [readFixture(`xray-original/${name}`), new Uint8Array(fs.readFileSync(dcm))]
    })
    for (let i = 0; i < inputs.length; i += 2) {
      const [jpeg, dicom] = await Promise.all([decodeImage(inputs[i]), decodeImage(inputs[i + 1])])
      expect(dicom.format).toBe('dicom')
      expect(dicom.dicom!.transferSyntax).toBe('1.2.840.10008.1.2.4.50')
      expect(Buffer.from(dicom.data).equals(Buffer.from(jpeg.data))).toBe(true)
    }
    const scores = await Promise.all(inputs.map(async (b) => (await cpu.predict(b, { source: 'eval', noCache: true })).probabilities.PNEUMONIA!))
    expect(scores[1]).toBe(scores[0])
    expect(scores[3]).toBe(scores[2])
    console.log(`P(pneumonia) JPEG vs DICOM: ${scores.map((s) => s.toFixed(6)).join(', ')}`)
  })
})
