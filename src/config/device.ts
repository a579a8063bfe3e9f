import { XrayError } from '../errors/index.ts'

/** `auto` takes a hardware GPU when one exists, else the CPU; `gpu` fails loudly without one. */
export type DeviceMode = 'auto' | 'gpu' | 'cpu'

export function parseDeviceMode(value: string | undefined, source = 'DEVICE'): DeviceMode {
  const v = (value ?? 'auto').trim().toLowerCase()
  if (v === 'auto' || v === 'gpu' || v === 'cpu') return v
  if (v === 'cuda' || v === 'webgpu') return 'gpu'
  throw new XrayError('CONFIG_INVALID', `${source}=${JSON.stringify(value)} is not valid; use auto, gpu (or cuda) or cpu`, {
    details: { key: source, value, allowed: ['auto', 'gpu', 'cuda', 'cpu'] },
  })
}
