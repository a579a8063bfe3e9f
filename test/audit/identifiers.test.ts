/**
 * Patient identifiers never reach the audit trail, the log or /metrics: DICOM files carrying
 * PatientName, PatientID, birth date, accession number and institution (a real chest X-ray
 * wrapped in DICOM here, and the real RG1 file) go through the model server; afterwards the
 * database file, the log file and /metrics hold none of those strings, while the audit rows keep
 * the non-identifying acquisition attributes.
 */
import { readFileSync, readdirSync } from 'node:fs'
import path from 'node:path'
import sharp from 'sharp'
import { expect, it } from 'vitest'
import { TS, imageElements, nativePixels, writeDicom, type El } from '../helpers/dicom.ts'
import { readFixture, tempDir } from '../helpers/fixtures.ts'
import { describeWith } from '../helpers/require.ts'
import { json, postImage } from '../helpers/server.ts'
import { sql, sqlite3Cli } from '../helpers/sqlite.ts'
import { auditApp, until } from './helpers.ts'

const identifiers: El[] = [
  { tag: 0x00100010, vr: 'PN', value: 'LEAKCHECK^PATIENT' },
  { tag: 0x00100020, vr: 'LO', value: 'ID-LEAK-42' },
  { tag: 0x00080080, vr: 'LO', value: 'Leak General Hospital' },
  { tag: 0x00080050, vr: 'SH', value: 'ACC-LEAK-7' },
  { tag: 0x00100030, vr: 'DA', value: '19400305' },
  { tag: 0x0020000d, vr: 'UI', value: '1.2.826.0.1.3680043.99.424242' },
]
// The generated file's values, and the real RG1 file's (dicom-errors.test.ts lists them).
const secrets = ['LEAKCHECK', 'ID-LEAK-42', 'Leak General', 'ACC-LEAK-7', '19400305', '3680043.99.424242', 'CompressedSamples', '9RG1', 'Philips', 'Hamburg']

describeWith(sqlite3Cli, 'patient identifiers', () => {
  it('reach neither the audit database, nor the log file, nor /metrics', async () => {
    const dir = tempDir('audit-phi')
    const logFile = path.join(dir, 'logs', 'server.log')
    const s = auditApp(path.join(dir, 'state'), { logging: { level: 'debug', format: 'json', file: logFile } })
    const ids: string[] = []
    let metrics = ''
    try {
      await s.loaded
      const { data, info } = await sharp(readFixture('xray-original/IM-0001-0001.jpeg')).greyscale().raw().toBuffer({ resolveWithObject: true })
      const frontal = writeDicom({
        transferSyntax: TS.explicitLE,
        elements: imageElements({ rows: info.height, columns: info.width, extra: [...identifiers, { tag: 0x00180015, vr: 'CS', value: 'CHEST' }, { tag: 0x00185101, vr: 'CS', value: 'PA' }] }),
        pixels: nativePixels(data, 8),
        pixelVR: 'OB',
      })
      const rg1 = readFixture('dicom/real-rg1-j2k.dcm')
      // The same byte search finds them in what was sent.
      for (const secret of secrets) expect(Buffer.from(frontal).includes(secret) || Buffer.from(rg1).includes(secret), secret).toBe(true)
      for (const body of [frontal, rg1]) {
        const res = await postImage(s, body, 'application/dicom')
        expect(res.status).toBe(200)
        ids.push((await json(res)).id)
      }
      metrics = await (await s.fetch(`${s.url}/metrics`)).text()
    } finally {
      await s.close()
    }
    const db = path.join(dir, 'state', 'xrayops.db')
    expect(sql(db, `SELECT format, modality, view, body_part, width, height FROM audit WHERE id IN ('${ids.join("','")}') ORDER BY seq`)).toEqual([
      ['dicom', 'DX', 'PA', 'CHEST', '1857', '1317'],
      ['dicom', 'CR', 'PA', 'CHEST', '1841', '1955'],
    ])
    // Every file of the state folder (database, and WAL or journal if any), raw bytes.
    const stateFiles = readdirSync(path.join(dir, 'state')).filter((f) => f.startsWith('xrayops.db'))
    expect(stateFiles).toContain('xrayops.db')
    // The log did record the predictions (its file stream flushes after close returns).
    const log = await until('both committed lines in the log', () => {
      const text = readFileSync(logFile, 'latin1')
      return ids.every((id) => new RegExp(`committed \\d+ record\\(s\\):[^"]*${id}`).test(text)) ? text : undefined
    })
    for (const secret of secrets) {
      for (const f of stateFiles) expect(readFileSync(path.join(dir, 'state', f)).includes(secret), `${secret} in ${f}`).toBe(false)
      expect(log.includes(secret), `${secret} in the log`).toBe(false)
      expect(metrics.includes(secret), `${secret} in /metrics`).toBe(false)
    }
  })
})
