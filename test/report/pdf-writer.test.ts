/** The PDF layout across pages: a long table breaks onto new pages with its header, read back by poppler. */
import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { expect, it } from 'vitest'
import { PdfWriter, winAnsi } from '../../src/report/pdf-writer.ts'
import { tempDir } from '../helpers/fixtures.ts'
import { describeWith, tool } from '../helpers/require.ts'

describeWith(tool('pdftoppm', 'apt-get install poppler-utils', ['-v']), 'PdfWriter', () => {
  it('lays 300 rows over several pages, each page with the header and a footer; long words wrap; non-Latin text is replaced', async () => {
    const w = await PdfWriter.create('Long', 'footer text')
    w.heading('Long table')
    const long = 'x'.repeat(300)
    w.table(['time', 'entry'], Array.from({ length: 300 }, (_, i) => [`row ${i + 1}`, i === 150 ? long : i === 200 ? 'y'.repeat(20_000) : `entry ${i + 1} → done ✓`]), [0.3, 0.7])
    const file = path.join(tempDir('pdf-writer'), 'long.pdf')
    fs.writeFileSync(file, await w.save())
    const info = execFileSync('pdfinfo', [file], { encoding: 'utf8' })
    const pages = Number(/^Pages:\s+(\d+)$/m.exec(info)![1])
    expect(pages).toBeGreaterThan(3)
    execFileSync('pdftoppm', ['-png', '-r', '20', file, path.join(path.dirname(file), 'p')])
    expect(fs.readdirSync(path.dirname(file)).filter((f) => f.endsWith('.png'))).toHaveLength(pages)
    for (let p = 1; p <= pages; p++) {
      const text = execFileSync('pdftotext', ['-f', String(p), '-l', String(p), '-layout', file, '-'], { encoding: 'utf8' })
      expect(text, `page ${p}`).toMatch(/time\s+entry/)
      expect(text).toContain(`footer text - page ${p}`)
    }
    const all = execFileSync('pdftotext', [file, '-'], { encoding: 'utf8' })
    for (const i of [1, 150, 300]) expect(all).toContain(`row ${i}`)
    expect(all).toContain('entry 300 -> done ?')
    expect(all.replace(/\s+/g, '')).toContain(long) // cut into lines, nothing lost
    expect(all.replace(/\s+/g, '')).toMatch(/y{1000,}\.\.\.row202/) // a cell longer than a page ends with ...
    expect(winAnsi('Zürich – naïve ✓')).toBe('Zürich - naïve ?')
  })
})
