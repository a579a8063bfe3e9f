/**
 * The table of contents the build writes into the single executable (as a SEA asset) and the
 * runtime reads back. Shared by scripts/build and src/runtime; types only, plus two names.
 */

/** SEA asset key of the manifest itself. */
export const MANIFEST_ASSET = 'xrayops/manifest.json'

/** How an embedded file is stored in the executable. */
export type Codec = 'zstd' | 'none'

export interface EmbeddedFile {
  /** SEA asset key. */
  key: string
  /** Path below the extraction folder, `/`-separated (e.g. `native/webgpu/dawn.node`). */
  path: string
  /** Files of one group are extracted together (an addon with the libraries it links to). */
  group: string
  /** Size and sha256 of the extracted file. */
  size: number
  sha256: string
  codec: Codec
  /** File mode on extraction (0o755 for shared objects, 0o644 otherwise). */
  mode: number
}

export interface EmbeddedManifest {
  format: 1
  /** Content id of all embedded files: the name of the extraction folder. */
  id: string
  files: EmbeddedFile[]
}
