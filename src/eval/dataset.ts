import { readdir } from 'node:fs/promises'
import path from 'node:path'
import { XrayError } from '../errors/index.ts'

export interface LabelledImage {
  file: string
  /** `LABEL/name`, the key golden rows are matched on. */
  key: string
  label: string
}

const imageExt = /\.(jpe?g|png|dcm|dicom)$/i

/** Every PNG, JPEG and DICOM (.dcm, .dicom) under DIR/<label>/ for each label, sorted. */
export async function listLabelledImages(dir: string, labels: string[]): Promise<LabelledImage[]> {
  const out: LabelledImage[] = []
  for (const label of labels) {
    const sub = path.join(dir, label)
    let names: string[]
    try {
      names = await readdir(sub)
    } catch (cause) {
      throw new XrayError('FILE_NOT_FOUND', `${sub} is not a readable folder: eval expects DIR/${labels.join(', DIR/')}`, { cause })
    }
    for (const name of names.filter((n) => imageExt.test(n)).sort()) out.push({ file: path.join(sub, name), key: `${label}/${name}`, label })
  }
  if (out.length === 0) throw new XrayError('FILE_NOT_FOUND', `no PNG, JPEG or DICOM images under ${dir}/{${labels.join(',')}}`)
  return out
}
