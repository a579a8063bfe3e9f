/**
 * A small flowing-text layout on pdf-lib: headings, wrapped paragraphs and tables with wrapped
 * cells, across as many A4 pages as it takes. The fonts are PDF's standard fonts (Helvetica,
 * Courier), which every PDF reader has: nothing is read from disk, so it works in the single
 * executable as in a checkout. They encode WinAnsi only: other characters are replaced.
 */
import { PDFDocument, rgb, StandardFonts, type PDFFont, type PDFPage } from 'pdf-lib'

const A4: [number, number] = [595.28, 841.89]
const MARGIN = 48
const MAX_CELL_LINES = 40

/** Text the standard fonts can encode (printable Latin-1); anything else becomes '?'. */
export const winAnsi = (s: string) => s.replaceAll('→', '->').replaceAll('—', '-').replaceAll('–', '-').replace(/[^\x20-\x7e\xa0-\xff]/g, '?')

export class PdfWriter {
  private page!: PDFPage
  private y = 0
  private constructor(
    private readonly doc: PDFDocument,
    private readonly regular: PDFFont,
    private readonly bold: PDFFont,
    private readonly footer: string,
  ) {
    this.newPage()
  }

  static async create(title: string, footer: string): Promise<PdfWriter> {
    const doc = await PDFDocument.create()
    doc.setTitle(winAnsi(title))
    doc.setCreator('xrayops')
    doc.setProducer('xrayops (pdf-lib)')
    return new PdfWriter(doc, await doc.embedFont(StandardFonts.Helvetica), await doc.embedFont(StandardFonts.HelveticaBold), footer)
  }

  private get width() {
    return A4[0] - 2 * MARGIN
  }

  private newPage() {
    this.page = this.doc.addPage(A4)
    this.y = A4[1] - MARGIN
    const n = this.doc.getPageCount()
    this.page.drawText(winAnsi(`${this.footer} - page ${n}`), { x: MARGIN, y: MARGIN / 2, size: 7, font: this.regular, color: rgb(0.4, 0.4, 0.4) })
  }

  private ensure(height: number) {
    if (this.y - height < MARGIN) this.newPage()
  }

  /** `text` broken into lines no wider than `width` at `size` (long words are cut). */
  wrap(text: string, width: number, size: number, font = this.regular): string[] {
    const lines: string[] = []
    for (const para of winAnsi(text).split('\n')) {
      let line = ''
      for (const word of para.split(' ')) {
        const next = line ? `${line} ${word}` : word
        if (font.widthOfTextAtSize(next, size) <= width) {
          line = next
          continue
        }
        if (line) lines.push(line)
        // A word wider than the column is cut, character by character.
        let piece = ''
        for (const ch of word) {
          if (piece && font.widthOfTextAtSize(piece + ch, size) > width) {
            lines.push(piece)
            piece = ''
          }
          piece += ch
        }
        line = piece
      }
      lines.push(line)
    }
    return lines
  }

  heading(text: string, size = 14) {
    this.ensure(size * 2.2)
    this.y -= size * 0.6
    this.page.drawText(winAnsi(text), { x: MARGIN, y: this.y - size, size, font: this.bold })
    this.y -= size * 1.6
  }

  paragraph(text: string, size = 9) {
    for (const line of this.wrap(text, this.width, size)) {
      this.ensure(size * 1.35)
      this.page.drawText(line, { x: MARGIN, y: this.y - size, size, font: this.regular })
      this.y -= size * 1.35
    }
    this.y -= size * 0.5
  }

  /** A table: `widths` are shares of the text width; the header repeats on every new page. */
  table(header: string[], rows: string[][], widths: number[], size = 7.5) {
    const cols = widths.map((w) => w * this.width)
    const lh = size * 1.3
    const drawRow = (cells: string[], font: PDFFont, shade: boolean) => {
      // A row never outgrows a page: a cell past MAX_CELL_LINES lines ends with "...".
      const wrapped = cells.map((c, i) => {
        const lines = this.wrap(c, cols[i]! - 4, size, font)
        return lines.length > MAX_CELL_LINES ? [...lines.slice(0, MAX_CELL_LINES - 1), '...'] : lines
      })
      const h = Math.max(...wrapped.map((l) => l.length)) * lh + 3
      const fresh = this.y - h < MARGIN
      if (fresh) this.newPage()
      if (fresh && !shade) drawRow(header, this.bold, true)
      if (shade) this.page.drawRectangle({ x: MARGIN, y: this.y - h, width: this.width, height: h, color: rgb(0.9, 0.92, 0.95) })
      let x = MARGIN
      wrapped.forEach((lines, i) => {
        lines.forEach((l, k) => this.page.drawText(l, { x: x + 2, y: this.y - size - 1.5 - k * lh, size, font }))
        x += cols[i]!
      })
      this.y -= h
      this.page.drawLine({ start: { x: MARGIN, y: this.y }, end: { x: MARGIN + this.width, y: this.y }, thickness: 0.3, color: rgb(0.7, 0.7, 0.7) })
    }
    this.ensure(lh * 3)
    drawRow(header, this.bold, true)
    for (const r of rows) drawRow(r, this.regular, false)
    this.y -= size
  }

  save(): Promise<Uint8Array> {
    return this.doc.save()
  }
}
