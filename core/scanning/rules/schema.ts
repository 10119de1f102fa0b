import { z } from 'zod';
import { InvalidRuleError } from './errors';
import { RULE_KINDS, type Rule } from './rule';
import { SEVERITIES } from '../types';

/** The JSON shape of a user-supplied rule: a Rule with the pattern as a string and static samples. */
export const UserRuleSchema = z
  .object({
    id: z.string().regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, 'id must be kebab-case'),
    title: z.string().min(1).max(200),
    kind: z.enum(RULE_KINDS),
    severity: z.enum(SEVERITIES),
    keywords: z
      .array(
        z
          .string()
          .min(2)
          .max(100)
          .regex(/^[^A-Z]*$/, 'keywords must be lowercase'),
      )
      .min(1),
    pattern: z.string().min(1).max(4000),
    flags: z
      .string()
      .regex(/^[imsu]*$/, 'flags may be i, m, s, u (no g or y)')
      .default(''),
    secretGroup: z.number().int().min(0).max(20).default(0),
    entropy: z.number().min(0).max(8).optional(),
    minLength: z.number().int().min(1).max(4096).optional(),
    allow: z.array(z.string().max(1000)).optional(),
    paths: z.string().max(1000).optional(),
    priority: z.number().int().min(0).max(100).optional(),
    samples: z.object({ leak: z.array(z.string()).min(1), ignore: z.array(z.string()).default([]) }),
  })
  .strict();
export type UserRule = z.input<typeof UserRuleSchema>;

/** The file users write: `{ "rules": [ ... ] }`. */
export const UserRuleFileSchema = z.object({ rules: z.array(UserRuleSchema) }).strict();

function compile(source: string, flags: string, where: string): RegExp {
  try {
    return new RegExp(source, flags);
  } catch (cause) {
    throw new InvalidRuleError(`rule ${where} has an invalid regular expression`, {
      cause,
      context: { rule: where },
    });
  }
}

/** Turns one parsed user rule into a Rule. Throws InvalidRuleError naming the rule. */
export function toRule(parsed: z.output<typeof UserRuleSchema>): Rule {
  const pattern = compile(parsed.pattern, parsed.flags, parsed.id);
  const groups = new RegExp(`${pattern.source}|`, pattern.flags).exec('')!.length - 1;
  if (parsed.secretGroup > groups) {
    throw new InvalidRuleError(
      `rule ${parsed.id}: secretGroup ${parsed.secretGroup} but the pattern has ${groups} groups`,
      {
        context: { rule: parsed.id },
      },
    );
  }
  const leak = [...parsed.samples.leak];
  return {
    id: parsed.id,
    title: parsed.title,
    kind: parsed.kind,
    severity: parsed.severity,
    keywords: parsed.keywords,
    pattern,
    secretGroup: parsed.secretGroup,
    entropy: parsed.entropy,
    minLength: parsed.minLength,
    allow: parsed.allow?.map((source, i) => compile(source, '', `${parsed.id} allow[${i}]`)),
    paths: parsed.paths === undefined ? undefined : compile(parsed.paths, '', `${parsed.id} paths`),
    priority: parsed.priority,
    samples: { leak: () => leak, ignore: parsed.samples.ignore },
  };
}

/**
 * Parses a user rule file (plain JSON text). Throws InvalidRuleError saying which rule and field are wrong;
 * the message never quotes sample text, which may hold a real secret.
 */
export function parseUserRules(json: string): Rule[] {
  let data: unknown;
  try {
    data = JSON.parse(json);
  } catch (cause) {
    throw new InvalidRuleError('the rule file is not valid JSON', { cause });
  }
  const result = UserRuleFileSchema.safeParse(data);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    throw new InvalidRuleError(`the rule file is invalid at ${issue.path.join('.')}: ${issue.message}`, {
      context: { path: issue.path.join('.') },
    });
  }
  const rules = result.data.rules.map(toRule);
  const seen = new Set<string>();
  for (const rule of rules) {
    if (seen.has(rule.id))
      throw new InvalidRuleError(`rule id ${rule.id} is used twice`, { context: { rule: rule.id } });
    seen.add(rule.id);
  }
  return rules;
}
