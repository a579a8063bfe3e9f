/**
 * Recognising the architecture from the ONNX graph. The table of EfficientNet variants is checked
 * against the compound-scaling rule that defines them (Tan & Le 2019, as in timm and
 * torchvision), and the shipped model's block count against another path: the distinct
 * `blocks.S.B` modules named by its weights.
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { efficientNets, identify, signatureOf } from '../../src/models/onnx/architecture.ts'
import { readOnnx } from '../../src/models/onnx/graph.ts'
import { checkIo } from '../../src/models/onnx/io.ts'
import { derivedModel, shippedModel, tinyModel } from '../helpers/models.ts'

/** EfficientNet-B0's stage repeats, and each variant's (width, depth, resolution) coefficients. */
const B0_REPEATS = [1, 2, 2, 3, 3, 4, 1]
const COEFFICIENTS: [number, number, number][] = [
  [1.0, 1.0, 224], [1.0, 1.1, 240], [1.1, 1.2, 260], [1.2, 1.4, 300], [1.4, 1.8, 380], [1.6, 2.2, 456], [1.8, 2.6, 528], [2.0, 3.1, 600],
]
/** round_filters: channels scaled by the width coefficient, to a multiple of 8, never below 90%. */
const roundFilters = (c: number, w: number) => {
  const scaled = c * w
  const r = Math.max(8, Math.floor((scaled + 4) / 8) * 8)
  return r < 0.9 * scaled ? r + 8 : r
}

describe('EfficientNet signatures', () => {
  it('match the compound-scaling rule for B0..B7', () => {
    COEFFICIENTS.forEach(([w, d, res], i) => {
      expect(efficientNets[`efficientnet_b${i}`]).toEqual({
        blocks: B0_REPEATS.reduce((n, r) => n + Math.ceil(r * d), 0),
        stemChannels: roundFilters(32, w),
        headChannels: roundFilters(1280, w),
        resolution: res,
      })
    })
  })

  it('recognise the shipped model as efficientnet_b0', () => {
    const bytes = fs.readFileSync(shippedModel)
    const g = readOnnx(bytes, 'shipped')
    const sig = signatureOf(g)
    const modules = new Set([...g.initializers.keys()].map((n) => /blocks\.(\d+\.\d+)\./.exec(n)?.[1]).filter(Boolean))
    expect(sig.blocks).toBe(modules.size)
    expect(sig).toMatchObject({ blocks: 16, stemChannels: 32, headChannels: 1280, inputSize: [224, 224] })
    expect(identify(sig)).toBe('efficientnet_b0')
    expect(checkIo(g, 'shipped')).toEqual({ input: { name: 'input', height: 224, width: 224 }, cam: { height: 7, width: 7 } })
  })

  it('recognise the derived model as the same architecture, and a small graph as none', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xrayops-onnx-'))
    try {
      expect(identify(signatureOf(readOnnx(fs.readFileSync(derivedModel(path.join(dir, 'd.onnx'))), 'd')))).toBe('efficientnet_b0')
      const tiny = readOnnx(fs.readFileSync(tinyModel(path.join(dir, 't.onnx'))), 't')
      expect(checkIo(tiny, 't').cam).toEqual({ height: 7, width: 7 })
      expect(signatureOf(tiny)).toMatchObject({ blocks: 0, stemChannels: null, headChannels: 3 })
      expect(identify(signatureOf(tiny))).toBeNull()
      const wrong = readOnnx(fs.readFileSync(tinyModel(path.join(dir, 'w.onnx'), 'wrong')), 'w')
      expect(() => checkIo(wrong, 'w.onnx')).toThrow(/no output named logits; no output named cam; other outputs: probs float32 \[N,3\]/)
    } finally {
      fs.rmSync(dir, { recursive: true, force: true })
    }
  })
})
