import { createHash } from 'node:crypto';

/**
 * A version for the layer cache that changes whenever the rules do: a short hash of the rules as data
 * (patterns as source and flags, validators by their code). A cached layer result is only reused under
 * the same version, so a new or changed rule rescans every layer once.
 */
export function rulesetVersion(rules: readonly unknown[], salt = ''): string {
  const text = JSON.stringify(rules, (_key, value: unknown) => {
    if (value instanceof RegExp) return `/${value.source}/${value.flags}`;
    if (typeof value === 'function') return value.toString();
    return value;
  });
  return `rules-${createHash('sha256').update(salt).update('\u0000').update(text).digest('hex').slice(0, 16)}`;
}
