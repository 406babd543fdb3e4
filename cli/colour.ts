/**
 * Colours for the report table: only when the output is a terminal, and never with NO_COLOR set to anything but
 * "" (no-color.org). The report's own text carries no control characters (format.ts `printable`), so the escapes
 * added here are the only ones.
 */
const PAINT = { red: 31, green: 32, yellow: 33, bold: 1 } as const;
const paint = (code: number, text: string) => `\x1b[${code}m${text}\x1b[0m`;

const HEADINGS: Readonly<Record<string, number>> = { DELETE: PAINT.red, PRESERVE: PAINT.green, FLAG: PAINT.yellow, SKIP: PAINT.bold };

export function wantsColour(stream: { readonly isTTY?: boolean }, env: NodeJS.ProcessEnv = process.env): boolean {
  return Boolean(stream.isTTY) && !env.NO_COLOR;
}

/** The formatted report with its decision headings, warnings and outcomes coloured. */
export function colourReport(text: string): string {
  return text
    .split('\n')
    .map((line) => {
      const heading = /^([A-Z]+) \(\d+\)$/.exec(line);
      if (heading && HEADINGS[heading[1]!]) return paint(HEADINGS[heading[1]!]!, line);
      if (line.startsWith('WARNING: ')) return paint(PAINT.yellow, line);
      return line
        .replace(/ \[failed\]$/, ` ${paint(PAINT.red, '[failed]')}`)
        .replace(/ \[done\]$/, ` ${paint(PAINT.green, '[done]')}`)
        .replace(/^( +)✗ /, (_, indent: string) => `${indent}${paint(PAINT.red, '✗')} `);
    })
    .join('\n');
}
