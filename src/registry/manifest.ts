/** The manifest written beside a stored model: the same format as the shipped model's (models/*.json). */
import type { ModelManifest } from '../models/manifest.ts'

/** What loading the model established (src/inference/inspect.ts). */
export interface CheckedModel {
  architecture: string
  input: { name: string; height: number; width: number }
  cam: { height: number; width: number }
  warmupScore: number
  opset: number
  producer: string
}

export interface StoredManifest extends ModelManifest {
  bytes: number
  notes?: string
  registered: { at: string; by: string }
  onnx: { opset: number; producer: string }
}

export function buildManifest(m: {
  name: string
  version: string
  sha256: string
  bytes: number
  checked: CheckedModel
  template: ModelManifest
  warmupFile: string
  accuracy?: number
  notes?: string
  at: string
  by: string
  /** The drift profile stored beside the model (`<sha256>.drift.json`). */
  drift?: { file: string; sha256: string }
}): StoredManifest {
  const { input, cam } = m.checked
  const tw = m.template.warmup
  return {
    name: m.name,
    version: m.version,
    file: `${m.sha256}.onnx`,
    sha256: m.sha256,
    bytes: m.bytes,
    architecture: m.checked.architecture,
    input: { name: input.name, dtype: 'float32', shape: ['N', 3, input.height, input.width] },
    outputs: { logits: { shape: ['N', 2] }, cam: { shape: ['N', 2, cam.height, cam.width] } },
    labels: m.template.labels,
    positiveLabel: m.template.positiveLabel,
    threshold: m.template.threshold,
    preprocessing: { ...m.template.preprocessing, resize: `squash to ${input.width}x${input.height}` } as ModelManifest['preprocessing'],
    metrics: m.accuracy === undefined ? {} : { accuracy: m.accuracy, source: 'stated at registration' },
    ...(m.notes ? { notes: m.notes } : {}),
    registered: { at: m.at, by: m.by },
    onnx: { opset: m.checked.opset, producer: m.checked.producer },
    warmup: {
      file: m.warmupFile,
      label: tw?.label ?? m.template.positiveLabel,
      score: Number(m.checked.warmupScore.toFixed(6)),
      tolerance: tw?.tolerance ?? 0.001,
      source: 'measured at registration (onnxruntime CPU)',
    } as ModelManifest['warmup'],
    ...(m.drift ? { drift: m.drift } : {}),
  }
}
