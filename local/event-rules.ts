import { randomUUID } from 'node:crypto';
import { resourcesOfType, type CfnTemplate } from './template';
import type { ReceivedEvent } from './events';

/**
 * The template's EventBridge rules, applied locally: which rules an event matches and what input each
 * target gets, so that `rotor local` routes the scanner's events the way the deployed rules would.
 *
 * Patterns: exact values (a list of allowed strings, numbers or booleans) and nested objects, which is what
 * Rotor's rules use; content filters (`prefix`, `anything-but`, `numeric`, `exists`...) are refused with an
 * error rather than guessed. Targets: `Input` (constant JSON) and `InputTransformer` (paths and template).
 */

/** An event as EventBridge delivers it to a target. */
export interface DeliveredEvent {
  readonly version: '0';
  readonly id: string;
  readonly 'detail-type': string;
  readonly source: string;
  readonly account: string;
  readonly time: string;
  readonly region: string;
  readonly resources: readonly string[];
  readonly detail: unknown;
}

/** A rule's target: the logical id it names and how its input is made. */
export interface LocalRuleTarget {
  /** The target's logical id (`Arn: { Ref }` or `{ Fn::GetAtt: [id, 'Arn'] }`). */
  readonly logicalId: string;
  readonly input?: string;
  readonly inputTransformer?: { InputPathsMap?: Record<string, string>; InputTemplate: string };
}

export interface LocalRule {
  readonly logicalId: string;
  readonly pattern: Record<string, unknown>;
  readonly targets: readonly LocalRuleTarget[];
}

/** The event-pattern rules of a template (scheduled rules have no pattern and are left out). */
export function rulesOf(template: CfnTemplate): LocalRule[] {
  return resourcesOfType(template, 'AWS::Events::Rule')
    .filter(([, props]) => props.EventPattern !== undefined && props.State !== 'DISABLED')
    .map(([logicalId, props]) => ({
      logicalId,
      pattern: props.EventPattern as Record<string, unknown>,
      targets: ((props.Targets as Array<Record<string, unknown>> | undefined) ?? []).map((target) => ({
        logicalId: targetId(target.Arn),
        ...(typeof target.Input === 'string' ? { input: target.Input } : {}),
        ...(target.InputTransformer
          ? { inputTransformer: target.InputTransformer as LocalRuleTarget['inputTransformer'] & object }
          : {}),
      })),
    }));
}

/** A PutEvents entry as EventBridge would deliver it. */
export function deliver(entry: ReceivedEvent, where: { account: string; region: string }): DeliveredEvent {
  return {
    version: '0',
    id: randomUUID(),
    'detail-type': entry.DetailType ?? '',
    source: entry.Source ?? '',
    account: where.account,
    time: new Date().toISOString(),
    region: where.region,
    resources: [],
    detail: entry.Detail ? (JSON.parse(entry.Detail) as unknown) : {},
  };
}

/** Whether the event matches the pattern (EventBridge's semantics for exact values and nested fields). */
export function matches(pattern: Record<string, unknown>, event: unknown): boolean {
  return Object.entries(pattern).every(([key, expected]) => {
    const actual = (event as Record<string, unknown> | undefined)?.[key];
    if (Array.isArray(expected)) {
      for (const allowed of expected) {
        if (typeof allowed === 'object' && allowed !== null) {
          throw new Error(
            `the local rule matcher does not support content filters (${JSON.stringify(allowed)})`,
          );
        }
      }
      // A list in the event matches when any of its values is allowed.
      const values = Array.isArray(actual) ? actual : [actual];
      return values.some((value) => expected.includes(value));
    }
    if (typeof expected === 'object' && expected !== null) {
      return (
        typeof actual === 'object' && actual !== null && matches(expected as Record<string, unknown>, actual)
      );
    }
    throw new Error(`an event pattern field must be a list or an object (${key})`);
  });
}

/** The input a target receives for an event. */
export function targetInput(target: LocalRuleTarget, event: DeliveredEvent): unknown {
  if (target.input !== undefined) return JSON.parse(target.input) as unknown;
  if (!target.inputTransformer) return event;
  const values = Object.fromEntries(
    Object.entries(target.inputTransformer.InputPathsMap ?? {}).map(([name, path]) => [
      name,
      atPath(event, path),
    ]),
  );
  const rendered = render(target.inputTransformer.InputTemplate, values);
  try {
    return JSON.parse(rendered) as unknown;
  } catch {
    return rendered;
  }
}

/** `<name>` placeholders: inside a JSON string the value's text, elsewhere its JSON (as EventBridge does). */
function render(template: string, values: Record<string, unknown>): string {
  let out = '';
  let inString = false;
  for (let i = 0; i < template.length; i++) {
    const ch = template[i]!;
    if (ch === '"' && template[i - 1] !== '\\') inString = !inString;
    const placeholder = ch === '<' ? /^<([A-Za-z0-9_.-]+)>/.exec(template.slice(i)) : null;
    if (placeholder && placeholder[1]! in values) {
      const value = values[placeholder[1]!];
      out += inString
        ? JSON.stringify(typeof value === 'string' ? value : JSON.stringify(value ?? null)).slice(1, -1)
        : JSON.stringify(value ?? null);
      i += placeholder[0].length - 1;
      continue;
    }
    out += ch;
  }
  return out;
}

/** `$.detail.secretId`-style paths. */
function atPath(event: unknown, path: string): unknown {
  if (path === '$') return event;
  return path
    .replace(/^\$\./, '')
    .split('.')
    .reduce<unknown>((node, key) => (node as Record<string, unknown> | undefined)?.[key], event);
}

function targetId(arn: unknown): string {
  const ref = (arn as { Ref?: string } | undefined)?.Ref;
  if (ref) return ref;
  const getAtt = (arn as { 'Fn::GetAtt'?: [string, string] } | undefined)?.['Fn::GetAtt'];
  if (getAtt) return getAtt[0];
  return String(arn);
}
