import type { DicomInfo } from './dicom/info.ts'
import type { ImageFormat } from './sniff.ts'

/** An 8-bit single-channel image, row-major. */
export interface GrayImage {
  width: number
  height: number
  data: Uint8Array
  format: ImageFormat
  /**
   * Bits per sample and channel count of the source, for the record; for colour sources, the
   * fraction of pixels with real chroma (luminance.ts chromaFraction).
   */
  source: { bitDepth: 8 | 16; channels: number; chroma?: number; scaledFrom?: { width: number; height: number } }
  /** DICOM input only: its non-identifying acquisition attributes. */
  dicom?: DicomInfo
}
