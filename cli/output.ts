/** What the CLI prints: plain text for people, JSON for machines, colour only on a terminal. */
export interface Output {
  readonly json: boolean;
  /** A line for people (suppressed with --json). */
  line(text?: string): void;
  /** The machine-readable result (printed only with --json). */
  result(value: unknown): void;
  /** A problem, on stderr, in both modes. */
  error(text: string): void;
}

export function createOutput(json: boolean, stream: NodeJS.WriteStream = process.stdout): Output {
  return {
    json,
    line: (text = '') => {
      if (!json) stream.write(`${text}\n`);
    },
    result: (value) => {
      if (json) stream.write(`${JSON.stringify(value, null, 2)}\n`);
    },
    error: (text) => process.stderr.write(`${text}\n`),
  };
}

const useColour = () => process.stdout.isTTY && !process.env.NO_COLOR;
const paint = (code: number) => (text: string) => (useColour() ? `\u001b[${code}m${text}\u001b[0m` : text);
export const bold = paint(1);
export const dim = paint(2);
export const green = paint(32);
export const red = paint(31);
export const yellow = paint(33);

/** Formats rows as aligned columns under a header. */
export function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const format = (cells: string[]) =>
    cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]))).join('  ');
  return [bold(format(header)), ...rows.map(format)].join('\n');
}

/** Parses `24h`, `30m`, `7d`, `90s` or an ISO 8601 time into an ISO time; `now` defaults to the clock. */
export function parseSince(value: string, now = new Date()): string {
  const relative = /^(\d+)\s*([smhdw])$/.exec(value.trim());
  if (relative) {
    const unit = { s: 1, m: 60, h: 3600, d: 86_400, w: 604_800 }[relative[2] as 's' | 'm' | 'h' | 'd' | 'w'];
    return new Date(now.getTime() - Number(relative[1]) * unit * 1000).toISOString();
  }
  const time = Date.parse(value);
  if (Number.isNaN(time))
    throw new UsageError(
      `cannot read the time "${value}": use a duration such as 24h or 7d, or an ISO 8601 time`,
    );
  return new Date(time).toISOString();
}

/** A mistake in how the command was called: exit code 2 with the message, no stack. */
export class UsageError extends Error {
  override name = 'UsageError';
}
