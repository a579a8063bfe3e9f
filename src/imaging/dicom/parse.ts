/**
 * Parses a DICOM Part 10 file with dicom-parser, in two steps: the file meta information first,
 * so that a transfer syntax not decoded here (deflate above all: dicom-parser would inflate it
 * with no bound) is refused before the data set is read.
 */
import dicomParser, { type DataSet } from './dicom-parser.ts'
import { corruptDicom, describeThrown, safeUid, truncatedDicom, unsupportedTransferSyntax } from './errors.ts'
import { transferSyntax, type TransferSyntax } from './transfer-syntaxes.ts'

export interface ParsedDicom {
  dataSet: DataSet
  transferSyntax: TransferSyntax
}

const endsEarly = /past end|overread|overrun|eof encountered|beyond|end of buffer|cannot be greater than or equal/i

const failure = (stage: string, e: unknown) => {
  const thrown = describeThrown(e)
  const msg = /call stack/i.test(thrown) ? 'sequences nested too deeply to read' : thrown
  return endsEarly.test(msg) ? truncatedDicom(`${stage}: ${msg}`, e) : corruptDicom(`${stage}: ${msg}`, e)
}

export function parseDicomFile(bytes: Uint8Array): ParsedDicom {
  let meta: DataSet
  try {
    meta = dicomParser.readPart10Header(bytes)
  } catch (e) {
    throw failure('file meta information', e)
  }
  const uidElement = meta.elements.x00020010
  if (!uidElement) throw corruptDicom('the file meta information has no Transfer Syntax UID (0002,0010)')
  const ts = transferSyntax(safeUid(meta.string('x00020010')))
  if (!ts.codec) throw unsupportedTransferSyntax(ts)
  let dataSet: DataSet
  try {
    dataSet = dicomParser.parseDicom(bytes)
  } catch (e) {
    throw failure('data set', e)
  }
  return { dataSet, transferSyntax: ts }
}
