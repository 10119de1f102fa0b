import { isObviousPlaceholder } from '../rules/placeholders';
import { shannonEntropy } from '../rules/entropy';
import { priorityOf, type Rule } from '../rules/rule';
import { InvalidDetectorConfigError } from './errors';
import { LEAD_CHARS, MAX_MATCH_CHARS } from './limits';
import { leadingLookbehind } from './lookbehind';

/** A rule ready to run: recompiled with `g` (to scan from an offset) and `m` (line anchors). */
export interface CompiledRule {
  readonly rule: Rule;
  readonly order: number;
  readonly priority: number;
  readonly regex: RegExp;
  /**
   * With `y` and `d`: run again at a match's position once its secret is accepted, for the group's offset.
   * (Most matches are rejected; `d` on every search would allocate offsets for all of them.)
   */
  readonly located: RegExp;
  /** The same pattern with `y` instead of `g`, to try a match at one position; set when the rule has an anchor. */
  readonly sticky?: RegExp;
  /** For an anchored rule with `first`: 1 at the char codes (< 128) a match can start with. */
  readonly firstChars?: Uint8Array;
  /** For an anchored rule whose `first` lists one or two characters: those characters, found with indexOf. */
  readonly firstFew?: readonly string[];
  /**
   * For an anchored rule whose pattern starts with `(?<![class])`: 1 at the char codes (< 128) of the class,
   * which a match cannot follow (see lookbehind.ts). Checked before each try.
   */
  readonly notAfter?: Uint8Array;
}

/** Compiles rules; throws InvalidDetectorConfigError on duplicate ids or g/y flags. */
export function compileRules(rules: readonly Rule[]): CompiledRule[] {
  const seen = new Set<string>();
  return rules.map((rule, order) => {
    if (seen.has(rule.id))
      throw new InvalidDetectorConfigError(`rule id ${rule.id} is used twice`, {
        context: { rule: rule.id },
      });
    seen.add(rule.id);
    if (/[gy]/.test(rule.pattern.flags)) {
      throw new InvalidDetectorConfigError(`rule ${rule.id} has a g or y flag`, {
        context: { rule: rule.id },
      });
    }
    if (rule.keywords.length === 0) {
      throw new InvalidDetectorConfigError(`rule ${rule.id} has no keywords`, { context: { rule: rule.id } });
    }
    const flags = [...new Set(rule.pattern.flags + 'gm')].join('');
    const compiled = {
      rule,
      order,
      priority: priorityOf(rule),
      regex: new RegExp(rule.pattern.source, flags),
      located: new RegExp(rule.pattern.source, flags.replace('g', 'dy')),
    };
    if (rule.anchor === undefined) return compiled;
    const { from, to } = rule.anchor;
    if (
      !Number.isInteger(from) ||
      !Number.isInteger(to) ||
      from > to ||
      from < -MAX_MATCH_CHARS ||
      to > LEAD_CHARS
    ) {
      throw new InvalidDetectorConfigError(`rule ${rule.id} has an anchor out of bounds`, {
        context: { rule: rule.id },
      });
    }
    const sticky = new RegExp(rule.pattern.source, flags.replace('g', 'y'));
    const notAfter = leadingLookbehind(rule.pattern);
    const anchored = { ...compiled, sticky, ...(notAfter === undefined ? {} : { notAfter }) };
    if (rule.anchor.first === undefined) return anchored;
    const firstChars = new Uint8Array(128);
    for (const ch of rule.anchor.first) {
      const code = ch.charCodeAt(0);
      if (ch.length !== 1 || code >= 128) {
        throw new InvalidDetectorConfigError(`rule ${rule.id}: anchor.first must be ASCII characters`, {
          context: { rule: rule.id },
        });
      }
      firstChars[code] = 1;
    }
    const few = [...new Set(rule.anchor.first)];
    return {
      ...anchored,
      firstChars,
      ...(few.length >= 1 && few.length <= 2 ? { firstFew: few } : {}),
    };
  });
}

/** Whether a candidate secret passes the rule's filters (entropy, length, placeholders, allow, validate). */
export function acceptsSecret(rule: Rule, secret: string, match: RegExpExecArray): boolean {
  if (secret.length === 0) return false;
  if (rule.minLength !== undefined && secret.length < rule.minLength) return false;
  if (rule.entropy !== undefined && shannonEntropy(secret) < rule.entropy) return false;
  // The generic rules' check rejects most of their many candidates (`token = req.headers`) with a cheap test
  // first: run it before the placeholder patterns. Every filter is a pure predicate, so the answer is the same.
  if (rule.kind === 'generic' && rule.validate !== undefined && !rule.validate(secret, match)) return false;
  if (isObviousPlaceholder(secret)) return false;
  for (const allow of rule.allow ?? []) {
    if (typeof allow === 'function' ? allow(secret, match) : allow.test(secret)) return false;
  }
  return rule.validate === undefined || rule.kind === 'generic' || rule.validate(secret, match);
}

/** Where the secret group starts within the match (needs the `d` flag's indices, else a search). */
export function secretOffset(match: RegExpExecArray, group: number): number {
  if (group === 0) return match.index;
  const indices = (match as RegExpExecArray & { indices?: Array<[number, number] | undefined> }).indices;
  const span = indices?.[group];
  if (span !== undefined) return span[0];
  return match.index + match[0].indexOf(match[group]!);
}
