import { CONTEXT_CHARS } from './limits';

/** A secret censored for display: at most its first 4 characters (fewer when short) and `****`. */
export function redactSecret(secret: string): string {
  const firstLine = secret.split(/\r?\n|\\n/, 1)[0] ?? '';
  const n = secret.length;
  const shown = n >= 20 ? 4 : n >= 12 ? 2 : n >= 8 ? 1 : 0;
  return firstLine.slice(0, Math.min(shown, firstLine.length)) + '****';
}

/** Long tokens mixing letters and digits in the surroundings may be secrets too: censor them as well. */
function scrub(context: string, secret: string, redacted: string): string {
  let out = context.replace(/[\r\n\t\f\v]/g, ' ');
  if (secret.length >= 4) out = out.split(secret).join(redacted);
  return out.replace(/[A-Za-z0-9+/=_.~-]{16,}/g, (token) =>
    /[0-9]/.test(token) && /[A-Za-z]/.test(token) ? token.slice(0, 4) + '****' : token,
  );
}

/**
 * The excerpt of a finding: up to CONTEXT_CHARS of the secret's line on each side, the secret censored.
 * Bounded in length whatever the line; `start`/`end` index the secret in `text`.
 */
export function excerptAround(text: string, start: number, end: number, secret: string): string {
  // Only CONTEXT_CHARS either side are looked at, so the cost does not grow with the line's length.
  const left = text.slice(Math.max(0, start - CONTEXT_CHARS), start);
  const leftNl = left.lastIndexOf('\n');
  const before = leftNl === -1 ? left : left.slice(leftNl + 1);
  const cutBefore =
    leftNl === -1 && start - CONTEXT_CHARS > 0 && text.charCodeAt(start - CONTEXT_CHARS - 1) !== 10;
  const right = text.slice(end, end + CONTEXT_CHARS);
  const rightNl = right.indexOf('\n');
  const after = rightNl === -1 ? right : right.slice(0, rightNl);
  const cutAfter =
    rightNl === -1 && end + CONTEXT_CHARS < text.length && text.charCodeAt(end + CONTEXT_CHARS) !== 10;
  const redacted = redactSecret(secret);
  return (
    (cutBefore ? '…' : '') +
    scrub(before, secret, redacted) +
    redacted +
    scrub(after, secret, redacted) +
    (cutAfter ? '…' : '')
  );
}
