/**
 * The layer cache's version with managed secrets: the ruleset version plus the fingerprint set's version,
 * `rules-<hash>.m<n>`. A layer result is reused only under the same version, so a layer scanned before a
 * secret's records changed is scanned again once, with the new records (see README.md for the trade-off).
 */
export function withFingerprintSet(rulesetVersion: string, setVersion: number): string {
  return `${rulesetVersion}.m${setVersion}`;
}

/** The fingerprint set's version a cache version names, or `undefined` when it names none. */
export function fingerprintSetOf(cacheVersion: string): number | undefined {
  const match = /\.m(\d{1,15})$/.exec(cacheVersion);
  return match ? Number(match[1]) : undefined;
}
