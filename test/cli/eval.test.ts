import { execFile } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { describe, expect, it } from 'vitest'
import { fixture } from '../helpers/fixtures.ts'

const run = promisify(execFile)
const bin = fileURLToPath(new URL('../../bin/xrayops.mjs', import.meta.url))
const xrayops = (args: string[], env: Record<string, string> = {}) =>
  run(process.execPath, [bin, ...args], { env: { ...process.env, ...env } }).then(
    (r) => ({ code: 0, ...r }),
    (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }),
  )

describe('xrayops eval', () => {
  it('reports accuracy, sensitivity, specificity, AUC, the confusion matrix and golden |dP| as JSON', async () => {
    const r = await xrayops(['eval', fixture('xray-224'), '--golden', fixture('xray-224/golden.csv'), '--json', '--device', 'cpu'])
    expect(r.code, r.stderr).toBe(0)
    const report = JSON.parse(r.stdout)
    // The fixtures hold one false positive (NORMAL2-IM-0199) and one false negative (person140).
    expect(report.confusion).toEqual({ tp: 3, tn: 3, fp: 1, fn: 1 })
    expect(report.accuracy).toBe(0.75)
    expect(report.threshold).toBe(0.5)
    expect(report.golden.matched).toBe(8)
    expect(report.golden.maxAbsDiff).toBeLessThan(1e-4)
    expect(report.imagesPerSecond).toBeGreaterThan(0)
    expect(report.device.kind).toBe('cpu')
  })

  it('prints a readable report by default', async () => {
    const r = await xrayops(['eval', fixture('xray-224'), '--device', 'cpu'])
    expect(r.code, r.stderr).toBe(0)
    expect(r.stdout).toMatch(/accuracy\s+0\.750/)
    expect(r.stdout).toMatch(/actual PNEUMONIA\s+1\s+3/)
  })

  it('exits 1 with a message naming the problem', async () => {
    const missing = await xrayops(['eval', fixture('nope'), '--device', 'cpu'])
    expect(missing.code).toBe(1)
    expect(missing.stderr).toContain('FILE_NOT_FOUND: ')
    expect(missing.stderr).toContain('nope/NORMAL is not a readable folder')
    const device = await xrayops(['eval', fixture('xray-224'), '--device', 'tpu'])
    expect(device.code).toBe(1)
    expect(device.stderr).toContain('CONFIG_INVALID: --device="tpu" (flag) is not valid: expected auto, gpu (or cuda) or cpu')
    const diff = await xrayops(['eval', fixture('xray-224'), '--golden', fixture('xray-224/golden.csv'), '--max-diff', '0', '--device', 'cpu', '--json'])
    expect(diff.code).toBe(1)
    expect(JSON.parse(diff.stdout).golden.maxAbsDiff).toBeGreaterThan(0) // the report still prints, then the exit says it exceeded
  })

  it('prints the usage and exits 1 on a usage mistake', async () => {
    for (const args of [['eval'], ['eval', fixture('xray-224'), '--batch', '0'], ['eval', fixture('xray-224'), '--resize', 'cubic']]) {
      const r = await xrayops(args)
      expect(r.code, args.join(' ')).toBe(1)
      expect(r.stdout + r.stderr, args.join(' ')).toMatch(/USAGE/)
    }
    const r = await xrayops(['eval', fixture('xray-224'), '--batch', '0'])
    expect(r.stderr).toContain('--batch "0" is not valid: expected an integer 1-256')
  })

  it('DEVICE=gpu fails loudly when no adapter exists', async () => {
    const r = await xrayops(['eval', fixture('xray-224'), '--device', 'gpu'], { VK_DRIVER_FILES: '/nonexistent/icd.json', XRAYOPS_DAWN_FLAGS: '' })
    expect(r.code).toBe(1)
    expect(r.stderr).toContain('NO_GPU')
  })
})
