import type { DynamoDbAuditStore } from '../../adapters/dynamodb-audit-store';
import { SCANNER_EVENTS } from '../../core/contracts/scanning';
import { verifyChain } from '../../core/audit/verify';
import { deliver, matches, rulesOf, targetInput } from '../event-rules';
import type { ReceivedEvent } from '../events';
import type { LocalHandler } from '../lambda-runner';
import type { Reporter } from '../reporter';
import { runStateMachine, type stateMachineDefinition } from '../state-machine';
import type { SynthesizedStack } from '../synth';
import type { DemoApiKey } from './api-key';

/**
 * Remediation in `rotor local`: the events the scan emitted go through the template's own EventBridge
 * rules; the managed-secret leak starts the synthesized rotation workflow with the rule's input (reason
 * `remediation`), which replaces the key, redeploys the service that reads it and revokes the leaked key at
 * once. Then: the leaked key is refused by the SaaS, the new one works, and the secret's audit chain links
 * the finding to the rotation.
 */
export async function remediationDemo(options: {
  reporter: Reporter;
  stack: SynthesizedStack;
  events: readonly ReceivedEvent[];
  apiKey: DemoApiKey;
  workflow: {
    definition: ReturnType<typeof stateMachineDefinition>;
    lambdas: ReadonlyMap<string, LocalHandler>;
    /** The rotation workflow's logical id, which the rule's target names. */
    logicalId: string;
  };
  audit: DynamoDbAuditStore;
  account: string;
  region: string;
}): Promise<void> {
  const { reporter, apiKey } = options;
  const leaks = options.events.filter(
    (e) => e.DetailType === SCANNER_EVENTS.secretLeaked && e.Detail?.includes(`"${apiKey.name}"`),
  );
  if (leaks.length === 0) {
    reporter.skip('remediated the leaked API key', 'the scan reported no leak of a managed secret');
    return;
  }
  const event = deliver(leaks[0]!, { account: options.account, region: options.region });
  const rules = rulesOf(options.stack.template).filter((rule) => matches(rule.pattern, event));
  const target = rules
    .flatMap((rule) => rule.targets)
    .find((t) => t.logicalId === options.workflow.logicalId);
  if (!target) throw new Error('no rule of the template sends a managed leak to the rotation workflow');

  await reporter.step(
    'remediated it: the leak event went through the template’s rule to the rotation workflow (reason remediation)',
    async () => {
      const input = targetInput(target, event) as { findingFingerprint: string };
      const execution = await runStateMachine(
        options.workflow.definition,
        input,
        {
          lambdas: options.workflow.lambdas,
        },
        {
          executionId: `arn:aws:states:${options.region}:${options.account}:execution:rotation:remediation-${Date.now()}`,
        },
      );
      if (execution.status !== 'SUCCEEDED')
        throw new Error(`${execution.error?.name}: ${execution.error?.message}`);
      const leakedStatus = await apiKey.saas.authenticate(apiKey.leakedKey);
      if (leakedStatus !== 401) throw new Error(`the leaked key still works (HTTP ${leakedStatus})`);
      return {
        detail: `states: ${[...new Set(execution.states)].join(' -> ')}`,
        block: [
          `the leaked key now gets HTTP ${leakedStatus} from the SaaS; the new key is AWSCURRENT`,
          'demo/billing-worker was redeployed before the leaked key was revoked, with no grace period',
          `finding ${input.findingFingerprint.slice(0, 16)}… is linked to the rotation in the audit trail`,
        ].join('\n'),
      };
    },
  );

  const found = options.events
    .filter((e) => e.DetailType === SCANNER_EVENTS.secretFound)
    .map((e) => deliver(e, { account: options.account, region: options.region }));
  await reporter.step(
    'announced the secrets Rotor does not manage, through the template’s rule (SNS)',
    async () => {
      const messages = found.flatMap((event) =>
        rulesOf(options.stack.template)
          .filter((rule) => matches(rule.pattern, event))
          .flatMap((rule) => rule.targets.map((target) => String(targetInput(target, event)))),
      );
      return {
        detail: `${messages.length} of ${found.length} unmanaged findings published (high and critical)`,
        ...(messages[0] ? { block: wrap(messages[0]) } : {}),
      };
    },
  );

  await reporter.step(`verified the audit chain of SECRET#${apiKey.name}`, async () => {
    const subject = `SECRET#${apiKey.name}`;
    const types: string[] = [];
    for await (const record of options.audit.chain(subject)) types.push(record.type);
    const report = await verifyChain(subject, options.audit.chain(subject));
    if (report.broken) throw new Error(report.broken.message);
    return { detail: `${report.records} records, intact: ${[...new Set(types)].join(', ')}` };
  });
}

/** A long notification, wrapped for a terminal. */
function wrap(text: string, width = 100): string {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line && line.length + word.length + 1 > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(line);
  return lines.join('\n');
}
