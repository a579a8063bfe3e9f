import { readFile } from 'node:fs/promises'
import { XrayError } from '../errors/index.ts'

/** Golden P(positive) per `LABEL/name`, from a CSV with columns path,label,p_pneumonia. */
export async function readGolden(file: string): Promise<Map<string, number>> {
  let text: string
  try {
    text = await readFile(file, 'utf8')
  } catch (cause) {
    throw new XrayError('FILE_NOT_FOUND', `cannot read golden CSV ${file}`, { cause })
  }
  const [header, ...lines] = text.trim().split(/\r?\n/)
  const cols = header.split(',')
  const ip = cols.indexOf('path')
  const is = cols.findIndex((c) => c.startsWith('p_'))
  if (ip < 0 || is < 0) throw new XrayError('INVALID_FILE', `golden CSV ${file} needs columns path and p_<label>`)
  const map = new Map<string, number>()
  for (const line of lines) {
    const f = line.split(',')
    map.set(f[ip].split('/').slice(-2).join('/'), Number(f[is]))
  }
  return map
}
