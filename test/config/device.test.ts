import { describe, expect, it } from 'vitest'
import { parseDeviceMode } from '../../src/config/parse.ts'

describe('parseDeviceMode', () => {
  it('accepts auto, gpu, cpu and cuda (as gpu), any case; defaults to auto', () => {
    expect(parseDeviceMode(undefined)).toBe('auto')
    expect(parseDeviceMode('GPU')).toBe('gpu')
    expect(parseDeviceMode('cuda')).toBe('gpu')
    expect(parseDeviceMode(' cpu ')).toBe('cpu')
  })
  it('rejects anything else, naming the key and the allowed values', () => {
    expect(() => parseDeviceMode('tpu')).toThrowError(/DEVICE="tpu".*auto, gpu \(or cuda\) or cpu/)
  })
})
