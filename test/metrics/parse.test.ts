import { describe, expect, it } from 'vitest'
import { parsePrometheusText } from '../../src/metrics/parse.ts'

describe('parsePrometheusText', () => {
  it('reads NaN in any case (prom-client prints `Nan` before a first sample) and infinities', () => {
    const s = parsePrometheusText('a Nan\nb NaN\nc{x="1"} +Inf\nd -Inf 1700000000000\n')
    expect(s.map((x) => x.value)).toEqual([Number.NaN, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY])
  })
  it('still refuses a line that is not a sample', () => {
    expect(() => parsePrometheusText('a banana')).toThrow(/not Prometheus text/)
  })
})
