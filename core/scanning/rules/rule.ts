import type { Severity } from '../types';

/** The categories a rule belongs to: for reports and for ordering overlapping matches. */
export const RULE_KINDS = [
  'cloud',
  'vcs',
  'ci',
  'registry',
  'chat',
  'email',
  'payment',
  'commerce',
  'ai',
  'observability',
  'infrastructure',
  'productivity',
  'private-key',
  'jwt',
  'connection-string',
  'config-file',
  'generic',
] as const;
export type RuleKind = (typeof RULE_KINDS)[number];

/** A check on a candidate secret: true keeps it. Pure and cheap; never logs the value. */
export type SecretCheck = (secret: string, match: RegExpExecArray) => boolean;

/**
 * A detector is a row: a pattern, the keywords that must occur for the pattern to be worth running, and the
 * filters a candidate must pass. Patterns are bounded (no match longer than MAX_MATCH_CHARS) and are run
 * with the `m` flag, so `^` and `$` mean line boundaries.
 */
export interface Rule {
  /** kebab-case, unique. */
  readonly id: string;
  readonly title: string;
  readonly kind: RuleKind;
  readonly severity: Severity;
  /** Lowercase strings; at least one occurs (case-insensitively) in every match, else the rule is skipped. */
  readonly keywords: readonly string[];
  /** No `g` or `y` flag. */
  readonly pattern: RegExp;
  /** The capture group that holds the secret (0: the whole match). */
  readonly secretGroup: number;
  /** Minimum Shannon entropy (bits per character) of the secret. */
  readonly entropy?: number;
  /** Minimum length of the secret, for patterns whose group is loose (generic assignments). */
  readonly minLength?: number;
  /** A structural check (checksum, decodes to JSON...). */
  readonly validate?: SecretCheck;
  /** Placeholder filters: a secret that matches any of them is not reported. */
  readonly allow?: readonly (RegExp | SecretCheck)[];
  /** Only files (and texts) whose location path matches, e.g. `/(^|\/)\.npmrc$/`. @default every path */
  readonly paths?: RegExp;
  /**
   * Where every match starts relative to an occurrence of one of the keywords: at least `from` and at most
   * `to` characters after the keyword's first character (negative: before it). With it, the detector tries
   * the pattern only at those positions (a sticky match at each) instead of searching the whole window, which
   * makes the rule's cost follow its keywords' occurrences rather than the text's length. It must hold for
   * every match the pattern can make, not only for secrets (the catalog test checks it); `from` is at least
   * -MAX_MATCH_CHARS and `to` at most LEAD_CHARS. `first`, when given, lists every character a match can
   * start with (both cases if the pattern ignores case), so that other positions are not even tried.
   * @default none: the whole window is searched
   */
  readonly anchor?: { readonly from: number; readonly to: number; readonly first?: string };
  /** Which rule wins when two find the same secret: higher wins. @default by kind (generic lowest) */
  readonly priority?: number;
  readonly samples: {
    /** Texts the rule must find, generated at test time (never committed as literals). */
    readonly leak: () => string[];
    /** Texts no rule may find. */
    readonly ignore: readonly string[];
  };
}

const KIND_PRIORITY: Partial<Record<RuleKind, number>> = {
  generic: 0,
  'config-file': 1,
  'connection-string': 1,
  jwt: 2,
  'private-key': 3,
};

/** The priority a rule has when two rules find overlapping secrets. */
export function priorityOf(rule: Rule): number {
  return rule.priority ?? KIND_PRIORITY[rule.kind] ?? 5;
}
