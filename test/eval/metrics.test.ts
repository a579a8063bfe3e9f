import { describe, expect, it } from 'vitest'
import { binaryMetrics, rocAuc } from '../../src/eval/metrics.ts'

describe('rocAuc', () => {
  it('is 1 for a perfect ranking, 0 for a reversed one, 0.5 for ties', () => {
    expect(rocAuc([0.1, 0.2, 0.8, 0.9], [false, false, true, true])).toBe(1)
    expect(rocAuc([0.9, 0.8, 0.2, 0.1], [false, false, true, true])).toBe(0)
    expect(rocAuc([0.5, 0.5, 0.5, 0.5], [false, true, false, true])).toBe(0.5)
  })
  it('matches a hand count of concordant pairs', () => {
    // positives 0.8, 0.4; negatives 0.5, 0.1: pairs (0.8>0.5, 0.8>0.1, 0.4<0.5, 0.4>0.1) = 3/4
    expect(rocAuc([0.8, 0.4, 0.5, 0.1], [true, true, false, false])).toBe(0.75)
  })
})

describe('binaryMetrics', () => {
  it('counts the confusion matrix at the threshold (>= is positive)', () => {
    const m = binaryMetrics([0.9, 0.5, 0.49, 0.1, 0.7], [true, true, true, false, false], 0.5)
    expect(m.confusion).toEqual({ tp: 2, fn: 1, tn: 1, fp: 1 })
    expect(m.accuracy).toBeCloseTo(3 / 5)
    expect(m.sensitivity).toBeCloseTo(2 / 3)
    expect(m.specificity).toBeCloseTo(1 / 2)
  })
})
