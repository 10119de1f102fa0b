/**
 * Third-party labels that contradict a deliberate, documented Rotor policy (documentation example values,
 * filler, obvious placeholders labeled as secrets, or a sample that is not the credential's real shape). Each
 * returns the reason; such items are excluded from the "fair" numbers and listed in every report.
 */
import type { Labeled } from './labeled';
import { hasSequentialRun } from '../../core/scanning/rules/placeholders';

let positives: Map<string, Set<string>> | undefined;

/** Call once with the whole corpus: benign labels on texts another group of the same source calls secret. */
export function indexPositives(items: readonly Labeled[]): void {
  positives = new Map();
  for (const i of items) {
    if (!i.secret) continue;
    const key = `${i.source}\u0000${i.text.trim()}`;
    const groups = positives.get(key) ?? new Set<string>();
    groups.add(i.group);
    positives.set(key, groups);
  }
}

export function disputeOf(item: Labeled): string | undefined {
  if (!item.secret && positives) {
    const groups = positives.get(`${item.source}\u0000${item.text.trim()}`);
    if (groups && [...groups].some((g) => g !== item.group))
      return 'benign label from one rule on a text a sibling rule of the same source labels secret';
  }
  const t = item.text;
  if (item.secret && item.source === 'detect-secrets' && item.group === 'keyword') {
    // detect-secrets' parser tests: values built to stress its quoting rules, not credential shapes.
    if (t.includes('m{{h}o)p${e]nob(ody[finds>-_$#thisone}}'))
      return 'detect-secrets keyword value shaped like a template (`{{`, `${`)';
    if (t.includes('value with quotes and spaces'))
      return 'detect-secrets keyword value that is prose with spaces';
    if (/[¨¿]/.test(t)) return 'detect-secrets keyword value of non-ASCII punctuation';
  }
  if (item.secret && /(?:^|-)(?:client|access|user-api|api)-id$/.test(item.group))
    return 'secret label on an identifier (client/access id), not a credential';
  if (item.secret && /sq0csp-[^\s"']*[\]^\\]/.test(t))
    return 'generator artifact: characters outside the format (`]`, `^`)';
  if (item.secret && /-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(t) && !/[A-Za-z0-9+/]{40}/.test(t))
    return 'secret label on a key header without a key body (prose inside)';
  if (item.secret && /\/\/username:password@/.test(t))
    return 'secret label on the username:password placeholder';
  if (item.secret) {
    // (Twitter bearer tokens really start with 22 `A`s.)
    if (/([A-Za-z0-9])\1{7}/.test(t.replace(/A{22}(?=[A-Za-z0-9%]{80})/g, '')))
      return 'secret label on filler (a run of 8 equal characters)';
    if (/EXAMPLE/.test(t)) return 'secret label on an AWS/vendor documentation EXAMPLE value';
    if (/(?:Z{12,}|x{6,}|X{12,})/.test(t)) return 'secret label on filler (ZZZZ/xxxx)';
    if (
      /John Doe|SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c/.test(
        Buffer.from(t.split('.')[1] ?? '', 'base64').toString() + t,
      )
    )
      return 'secret label on the jwt.io documentation token';
    // Kubernetes documentation's example values: base64 of `admin:password`, `mypassword`.
    if (/\b(?:YWRtaW46cGFzc3dvcmQ=|bXlwYXNzd29yZA==)/.test(t))
      return 'secret label on a documentation placeholder (base64 of admin:password / mypassword)';
    for (const value of t.match(/[A-Za-z0-9_+/=.-]{20,}/g) ?? [])
      if (hasSequentialRun(value)) return 'secret label on a typed example (a run like abcdefgh or 12345678)';
  }
  return undefined;
}
