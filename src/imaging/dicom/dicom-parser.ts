/**
 * dicom-parser is a UMD bundle: Node's ESM loader sees only its `default` (module.exports), a
 * bundler sees its `default` export; both carry the same functions.
 */
import * as ns from 'dicom-parser'

export type { DataSet, Element } from 'dicom-parser'

const dicomParser = ((ns as { default?: typeof ns }).default ?? ns) as typeof ns
export default dicomParser
