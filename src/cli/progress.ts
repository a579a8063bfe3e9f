/** A one-line progress bar on stderr when it is a terminal; silent otherwise. */
export function progressBar(label: string, stream: NodeJS.WriteStream = process.stderr) {
  const t0 = performance.now()
  if (!stream.isTTY) return { update: (_d: number, _t: number) => {}, done: () => {} }
  const width = 30
  return {
    update(done: number, total: number) {
      const filled = Math.round((done / total) * width)
      const rate = done / ((performance.now() - t0) / 1000)
      stream.write(`\r${label} [${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${done}/${total} ${rate.toFixed(1)}/s `)
    },
    done() {
      stream.write('\n')
    },
  }
}
