/** A systemd unit file: ordered sections of ordered `Key=value` lines (keys may repeat). */
export type Line = readonly [key: string, value: string | number]
export type Section = readonly [name: string, lines: readonly (Line | false | undefined)[]]

/** Renders sections as a unit file. `false`/`undefined` lines are left out (conditional settings). */
export function renderUnit(header: string[], sections: readonly Section[]): string {
  const out = header.map((h) => `# ${h}`)
  for (const [name, lines] of sections) {
    out.push('', `[${name}]`)
    for (const l of lines) if (l) out.push(`${l[0]}=${l[1]}`)
  }
  return `${out.join('\n')}\n`
}
