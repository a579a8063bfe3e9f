/**
 * The /ui viewer driven in headless Chromium against a real model server (CPU): pick, drop and
 * keyboard-only runs, the overlay compared with the API's own PNG, the opacity slider, feedback,
 * a gateway path prefix, and DICOM once the server decodes it. Screenshots: test-artifacts/ui/.
 */
import fs, { mkdtempSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import type { FileChooser, Page } from 'playwright-core'
import sharp from 'sharp'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { artifactsDir, chromiumComponent, launchChromium } from '../helpers/browser.ts'
import { fixture } from '../helpers/fixtures.ts'
import { prefixProxy } from '../helpers/prefix-proxy.ts'
import { available, describeWith } from '../helpers/require.ts'
import { json, start } from '../helpers/server.ts'

// In-page code (page.evaluate) runs in the browser; the project's TypeScript has no DOM library.
// biome-ignore lint: browser globals, untyped here
declare const document: any, DataTransfer: any, getComputedStyle: any

const XRAY = fixture('xray-original/person100_bacteria_475.jpeg')
const NORMAL_XRAY = fixture('xray-original/IM-0001-0001.jpeg')
const DICOM = fixture('dicom/real-rsna-jpeg.dcm')
/** Whether DICOM decoding is merged: src/imaging/dicom (a folder) or src/imaging/dicom.ts. */

describeWith(chromiumComponent(), 'the /ui viewer in headless Chromium', () => {
  let s: Awaited<ReturnType<typeof start>>
  let browser: Awaited<ReturnType<typeof launchChromium>>
  const shots = artifactsDir('ui')
  const state = mkdtempSync(path.join(os.tmpdir(), 'xrayops-ui-state-'))
  beforeAll(async () => {
    // The audit trail on, so the viewer's feedback is recorded against the prediction it shows.
    s = await start({ state: { dir: state }, audit: { enabled: true, flushIntervalMs: 50 } })
    await s.loaded
    browser = await launchChromium()
  })
  afterAll(async () => {
    await browser?.close()
    await s?.close()
    rmSync(state, { recursive: true, force: true })
  })

  /** Opens the viewer and waits for the model line; uncaught page errors fail the test. */
  const open = async (base = s.url) => {
    const page = await browser.context.newPage()
    const errors: Error[] = []
    page.on('pageerror', (e) => errors.push(e))
    await page.goto(`${base}/ui`)
    await expect.poll(() => page.textContent('#model-info')).toMatch(/pneumonia-efficientnet_b0 v1/)
    return { page, errors }
  }
  const resultText = async (page: Page) => {
    await page.waitForFunction(() => /P\(pneumonia\)|could not/.test(document.getElementById('status')!.textContent ?? ''), undefined, { timeout: 60_000 })
    return (await page.textContent('#status'))!
  }
  /** The canvas as RGB pixels. */
  const canvasPixels = async (page: Page) => {
    const url = await page.evaluate(() => document.getElementById('canvas').toDataURL('image/png') as string)
    const { data, info } = await sharp(Buffer.from(url.split(',')[1], 'base64')).removeAlpha().raw().toBuffer({ resolveWithObject: true })
    return { data: new Uint8Array(data), width: info.width, height: info.height }
  }
  /** The server's own overlay PNG (Accept: image/png) at the viewer's width and `opacity`. */
  const apiOverlay = async (file: string, opacity: number) => {
    const res = await fetch(`${s.url}/v1/predict?heatmap=1&width=1024&opacity=${opacity}`, { method: 'POST', headers: { 'content-type': 'image/jpeg', accept: 'image/png' }, body: fs.readFileSync(file) })
    expect(res.headers.get('content-type')).toBe('image/png')
    const { data, info } = await sharp(Buffer.from(await res.arrayBuffer())).raw().toBuffer({ resolveWithObject: true })
    return { data: new Uint8Array(data), width: info.width, height: info.height, p: Number(res.headers.get('x-prediction-probability')) }
  }
  const compare = (a: { data: Uint8Array }, b: { data: Uint8Array }) => {
    let sum = 0
    let max = 0
    for (let i = 0; i < a.data.length; i++) {
      const d = Math.abs(a.data[i] - b.data[i])
      sum += d
      max = Math.max(max, d)
    }
    return { mean: sum / a.data.length, max }
  }
  /** Pixels where the canvas is coloured (the heatmap), not gray. */
  const colouredShare = (px: { data: Uint8Array }) => {
    let n = 0
    for (let i = 0; i < px.data.length; i += 3) if (Math.max(Math.abs(px.data[i] - px.data[i + 1]), Math.abs(px.data[i + 1] - px.data[i + 2])) > 8) n++
    return n / (px.data.length / 3)
  }
  /** What the feedback button says once the label is stored (POST /v1/feedback, 201). */
  const feedbackExpected = async () => /Feedback recorded/

  it('picks an X-ray: result text, the overlay as the API draws it, the opacity slider, feedback', async () => {
    const { page, errors } = await open()
    await page.setInputFiles('#file', XRAY)
    const text = await resultText(page)
    const api = await apiOverlay(XRAY, 0.5)
    expect(text).toBe(`PNEUMONIA: P(pneumonia) ${api.p.toFixed(3)}, at or above the threshold 0.5.`)
    expect(await page.getAttribute('#summary', 'aria-live')).toBe('polite')
    expect(await page.textContent('#decision')).toMatch(/^PNEUMONIA \(P\(pneumonia\) ≥ threshold 0.5\)$/)
    expect(await page.textContent('#model')).toMatch(/pneumonia-efficientnet_b0 v1 .* on cpu/)
    expect(await page.textContent('#timings')).toMatch(/ms in all \(decode [\d.]+, queue [\d.]+, preprocess [\d.]+, inference [\d.]+, heatmap [\d.]+ ms\)/)
    expect(await page.isHidden('#heat-note')).toBe(true)
    expect(await page.textContent('#limits')).toMatch(/pediatric.*Guangzhou Women and Children's Medical Center.*Adult radiographs are outside its validated use/s)
    await page.screenshot({ path: `${shots}1-picked-xray.png`, fullPage: true })

    // The canvas (image + colour layer composited by the browser) against the server's overlay.
    const drawn = await canvasPixels(page)
    expect([drawn.width, drawn.height]).toEqual([api.width, api.height])
    const at50 = compare(drawn, api)
    console.log(`viewer canvas vs API overlay at 50%: mean |d| ${at50.mean.toFixed(3)}, max ${at50.max}; coloured pixels ${(colouredShare(drawn) * 100).toFixed(1)}%`)
    expect(at50.mean).toBeLessThan(0.5)
    expect(at50.max).toBeLessThanOrEqual(4)
    expect(colouredShare(drawn)).toBeGreaterThan(0.02)

    await page.focus('#opacity')
    for (let i = 0; i < 6; i++) await page.keyboard.press('ArrowRight')
    expect(await page.textContent('#opacity-value')).toBe('80%')
    const at80 = compare(await canvasPixels(page), await apiOverlay(XRAY, 0.8))
    expect(at80.mean).toBeLessThan(0.5)
    expect(at80.max).toBeLessThanOrEqual(4)
    await page.focus('#opacity')
    for (let i = 0; i < 16; i++) await page.keyboard.press('ArrowLeft')
    expect(await page.textContent('#opacity-value')).toBe('0%')
    expect(colouredShare(await canvasPixels(page))).toBe(0) // the bare X-ray

    await page.check('input[value="PNEUMONIA"]')
    await page.fill('#reviewer', 'reader-1')
    await page.click('button[type="submit"]')
    await expect.poll(() => page.textContent('#feedback-status')).toMatch(await feedbackExpected())
    await page.screenshot({ path: `${shots}2-after-feedback.png`, fullPage: true })
    expect(errors).toEqual([])
  })

  it('a dropped file is analysed too (a NORMAL X-ray)', async () => {
    const { page, errors } = await open()
    const b64 = fs.readFileSync(NORMAL_XRAY).toString('base64')
    const dt = await page.evaluateHandle((data) => {
      const t = new DataTransfer()
      t.items.add(new File([Uint8Array.from(atob(data), (ch) => ch.charCodeAt(0))], 'x.jpeg', { type: 'image/jpeg' }))
      return t
    }, b64)
    await page.dispatchEvent('#drop', 'drop', { dataTransfer: dt })
    expect(await resultText(page)).toMatch(/^NORMAL: P\(pneumonia\) 0\.\d{3}, below the threshold 0.5\.$/)
    expect(await page.isVisible('#heat-note')).toBe(true) // the heatmap of a NORMAL answer is explained
    await page.screenshot({ path: `${shots}3-dropped-normal.png`, fullPage: true })
    expect(errors).toEqual([])
  })

  it('keyboard only: focus order, visible focus, the file picker, the slider and feedback', async () => {
    const { page, errors } = await open()
    const focused = () =>
      page.evaluate(() => {
        const el = document.activeElement
        const style = getComputedStyle(el)
        return { id: (el.id || `${el.tagName.toLowerCase()}[${el.value ?? ''}]`) as string, outline: `${style.outlineStyle} ${style.outlineWidth}` }
      })
    // Listen for the file chooser before any key is pressed: Playwright turns Chromium's chooser
    // interception on when the first listener is added, and a key pressed before that lands
    // opens no event (microsoft/playwright#28023 describes the same race for clicks).
    let chooser: FileChooser | undefined
    page.on('filechooser', (c) => {
      chooser = c
    })
    await page.keyboard.press('Tab')
    expect(await focused()).toEqual({ id: 'file', outline: 'solid 3px' })
    await page.keyboard.press('Space')
    await expect.poll(() => chooser !== undefined, { timeout: 30_000 }).toBe(true)
    await chooser!.setFiles(XRAY)
    expect(await resultText(page)).toMatch(/^PNEUMONIA: /)
    const order: string[] = []
    for (const step of ['opacity', 'input[NORMAL]', 'reviewer', 'button[]']) {
      await page.keyboard.press('Tab')
      const f = await focused()
      order.push(f.id)
      expect(f.outline, step).toBe('solid 3px')
    }
    expect(order).toEqual(['opacity', 'input[NORMAL]', 'reviewer', 'button[]'])
    await page.keyboard.press('Shift+Tab')
    await page.keyboard.press('Shift+Tab')
    await page.keyboard.press('Shift+Tab')
    expect((await focused()).id).toBe('opacity')
    await page.keyboard.press('ArrowLeft')
    await page.keyboard.press('ArrowLeft')
    expect(await page.textContent('#opacity-value')).toBe('40%')
    await page.keyboard.press('Tab')
    await page.keyboard.press('ArrowRight') // moves to and checks PNEUMONIA
    expect(await page.isChecked('input[value="PNEUMONIA"]')).toBe(true)
    await page.keyboard.press('Tab')
    await page.keyboard.type('reader-2')
    await page.keyboard.press('Tab')
    await page.screenshot({ path: `${shots}4-keyboard-focus-on-submit.png`, fullPage: true })
    await page.keyboard.press('Enter')
    await expect.poll(() => page.textContent('#feedback-status')).toMatch(await feedbackExpected())
    expect(errors).toEqual([])
  })

  it('works behind a gateway path prefix (relative URLs only)', async () => {
    const proxy = await prefixProxy(s.url, '/gw/model-a')
    try {
      const { page, errors } = await open(proxy.url)
      expect(page.url()).toBe(`${proxy.url}/ui/`)
      await page.setInputFiles('#file', XRAY)
      expect(await resultText(page)).toMatch(/^PNEUMONIA: /)
      expect(errors).toEqual([])
    } finally {
      await proxy.close()
    }
  })

  it('shows the server error for a file that is not an X-ray image', async () => {
    const { page } = await open()
    await page.setInputFiles('#file', { name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('not an image') })
    expect(await resultText(page)).toMatch(/could not be analysed\. UNSUPPORTED_FORMAT: /)
    expect(await page.isHidden('#view')).toBe(true)
  })

  it('lists the input-quality flags of an answer in words', async () => {
    const { page, errors } = await open()
    // A sepia print of an X-ray, shrunk below the model input: the server flags it colour and upsampled.
    const { data, info } = await sharp(fs.readFileSync(XRAY)).resize(160).greyscale().raw().toBuffer({ resolveWithObject: true })
    const rgb = Buffer.alloc(info.width * info.height * 3)
    for (let i = 0; i < info.width * info.height; i++) rgb.set([data[i]!, Math.round(data[i]! * 0.8), Math.round(data[i]! * 0.55)], i * 3)
    const sepia = await sharp(rgb, { raw: { width: info.width, height: info.height, channels: 3 } }).png().toBuffer()
    await page.setInputFiles('#file', { name: 'sepia.png', mimeType: 'image/png', buffer: sepia })
    await resultText(page)
    const items = await page.locator('#quality-list li').allTextContents()
    expect(items.sort()).toEqual(['A colour image: X-rays are gray, so it was converted to luminance.', 'The image is smaller than the model input and was enlarged.'].sort())
    await page.screenshot({ path: `${shots}6-quality-flags.png`, fullPage: true })
    expect(errors).toEqual([])
  })

  it('DICOM upload: the image as the server decoded it, the result and the overlay', async () => {
    const { page, errors } = await open()
    await page.setInputFiles('#file', DICOM)
    expect(await resultText(page)).toMatch(/^(PNEUMONIA|NORMAL): P\(pneumonia\) 0\.\d{3}/)
    const drawn = await canvasPixels(page)
    expect(drawn.width).toBe(1024)
    expect(colouredShare(drawn)).toBeGreaterThan(0)
    await page.screenshot({ path: `${shots}5-dicom.png`, fullPage: true })
    expect(errors).toEqual([])
  })
})
