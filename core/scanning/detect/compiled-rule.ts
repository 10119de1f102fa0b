import { isObviousPlaceholder } from '../rules/placeholders';
import { shannonEntropy } from '../rules/entropy';
import { priorityOf, type Rule } from '../rules/rule';
import { InvalidDetectorConfigError } from './errors';

/** A rule ready to run: recompiled with `g` (to scan from an offset), `m` (line anchors), `d` (group offsets). */
export interface CompiledRule {
  readonly rule: Rule;
  readonly order: number;
  readonly priority: number;
  readonly regex: RegExp;
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
    const flags = [...new Set(rule.pattern.flags + 'dgm')].join('');
    return { rule, order, priority: priorityOf(rule), regex: new RegExp(rule.pattern.source, flags) };
  });
}

/** Whether a candidate secret passes the rule's filters (entropy, length, placeholders, allow, validate). */
export function acceptsSecret(rule: Rule, secret: string, match: RegExpExecArray): boolean {
  if (secret.length === 0) return false;
  if (rule.minLength !== undefined && secret.length < rule.minLength) return false;
  if (rule.entropy !== undefined && shannonEntropy(secret) < rule.entropy) return false;
  if (isObviousPlaceholder(secret)) return false;
  for (const allow of rule.allow ?? []) {
    if (typeof allow === 'function' ? allow(secret, match) : allow.test(secret)) return false;
  }
  return rule.validate === undefined || rule.validate(secret, match);
}

/** Where the secret group starts within the match (needs the `d` flag's indices, else a search). */
export function secretOffset(match: RegExpExecArray, group: number): number {
  if (group === 0) return match.index;
  const indices = (match as RegExpExecArray & { indices?: Array<[number, number] | undefined> }).indices;
  const span = indices?.[group];
  if (span !== undefined) return span[0];
  return match.index + match[0].indexOf(match[group]!);
}
