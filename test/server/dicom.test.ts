/**
 * DICOM through the server: /v1/predict (raw application/dicom and multipart), /v1/predict/batch
 * and OIP BYTES; a refused DICOM is a 415 JSON error naming its transfer syntax; identifiers in
 * the files never reach the request log or /metrics.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { TS, imageElements, nativePixels, writeDicom } from '../helpers/dicom.ts'
import { readFixture } from '../helpers/fixtures.ts'
import { json, postImage, start } from '../helpers/server.ts'

const rsna = readFixture('dicom/real-rsna-jpeg.dcm')
const rg1 = readFixture('dicom/real-rg1-j2k.dcm')
const secrets = ['CompressedSamples', '9RG1', 'Philips', 'Hamburg', 'SRV-LEAK^NAME', 'SRV-LEAK-ID', '16d7f894-55d7-4d95-8957-d18987f0e981']
const htj2k = writeDicom({
  transferSyntax: TS.htj2k,
  elements: imageElements({ rows: 32, columns: 32, extra: [{ tag: 0x00100010, vr: 'PN', value: 'SRV-LEAK^NAME' }, { tag: 0x00100020, vr: 'LO', value: 'SRV-LEAK-ID' }] }),
  pixels: { fragments: [new Uint8Array(64)] },
})
const multiframe = writeDicom({
  transferSyntax: TS.explicitLE,
  elements: imageElements({ rows: 32, columns: 32, extra: [{ tag: 0x00280008, vr: 'IS', value: '2' }, { tag: 0x00100010, vr: 'PN', value: 'SRV-LEAK^NAME' }] }),
  pixels: nativePixels(new Array(2048).fill(9), 8),
  pixelVR: 'OB',
})

describe('DICOM through the model server', () => {
  let s: Awaited<ReturnType<typeof start>>
  const logDir = mkdtempSync(path.join(os.tmpdir(), 'xrayops-dicom-log-'))
  const logFile = path.join(logDir, 'server.log')
  beforeAll(async () => {
    s = await start({ logging: { level: 'debug', format: 'json', file: logFile } })
    await s.loaded
  })
  afterAll(async () => {
    await s?.close()
    rmSync(logDir, { recursive: true, force: true })
  })

  it('POST /v1/predict: application/dicom and multipart give the same answer', async () => {
    const raw = await postImage(s, rsna, 'application/dicom')
    expect(raw.status).toBe(200)
    const a = await json(raw)
    const form = new FormData()
    form.append('image', new Blob([rsna]), 'chest.dcm')
    const b = await json(await fetch(`${s.url}/v1/predict`, { method: 'POST', body: form }))
    expect(b.probabilities).toEqual(a.probabilities)
    expect(['NORMAL', 'PNEUMONIA']).toContain(a.label)
  })

  it('a refused DICOM is a 415 JSON error naming the transfer syntax', async () => {
    const res = await postImage(s, htj2k, 'application/dicom')
    expect(res.status).toBe(415)
    const body = await json(res)
    expect(body.error.code).toBe('UNSUPPORTED_FORMAT')
    expect(body.error.message).toContain('1.2.840.10008.1.2.4.201 (High-Throughput JPEG 2000 (Lossless Only))')
    expect(body.error.details).toEqual({ transfer_syntax: '1.2.840.10008.1.2.4.201', transfer_syntax_name: 'High-Throughput JPEG 2000 (Lossless Only)' })
    const mf = await json(await postImage(s, multiframe, 'application/octet-stream'))
    expect(mf.error.message).toMatch(/multi-frame image \(2 frames\)/)
  })

  it('/v1/predict/batch: DICOMs beside a JPEG, the refused one failing alone', async () => {
    const form = new FormData()
    form.append('a', new Blob([rsna]), 'a.dcm')
    form.append('b', new Blob([readFixture('xray-original/person100_bacteria_475.jpeg')]), 'b.jpeg')
    form.append('c', new Blob([Uint8Array.from(htj2k)]), 'c.dcm')
    form.append('d', new Blob([rg1]), 'd.dcm')
    const body = await json(await fetch(`${s.url}/v1/predict/batch`, { method: 'POST', body: form }))
    expect(body.results.map((r: { ok: boolean }) => r.ok)).toEqual([true, true, false, true])
    expect(body.results[2].error.code).toBe('UNSUPPORTED_FORMAT')
  })

  it('OIP infer with a BYTES input holding a DICOM', async () => {
    const data = [Buffer.from(rsna).toString('base64')]
    const res = await fetch(`${s.url}/v2/models/pneumonia-efficientnet_b0/infer`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ inputs: [{ name: 'image', shape: [1], datatype: 'BYTES', data }] }),
    })
    expect(res.status).toBe(200)
    const out = (await json(res)).outputs.find((o: { name: string }) => o.name === 'probabilities')
    const direct = await json(await postImage(s, rsna, 'application/dicom'))
    expect(out.data[1]).toBeCloseTo(direct.probabilities.PNEUMONIA, 6)
  })

  it('identifiers in the files reach neither the log nor /metrics', async () => {
    const metrics = await (await fetch(`${s.url}/metrics`)).text()
    const log = await readFile(logFile, 'utf8')
    expect(log).toContain('"status":415') // the refusals above were logged
    for (const secret of secrets) {
      expect(log, secret).not.toContain(secret)
      expect(metrics, secret).not.toContain(secret)
    }
  })
})
