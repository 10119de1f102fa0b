import type { DynamoDbAuditStore } from '../../adapters/dynamodb-audit-store';
import type { LocalHandler } from '../lambda-runner';
import type { Reporter } from '../reporter';
import { runStateMachine, type stateMachineDefinition } from '../state-machine';

type Definition = ReturnType<typeof stateMachineDefinition>;

/**
 * The daily sweep in `rotor local`: the synthesized sweep state machine lists the managed secrets by tag and
 * decides; the demo's secrets were all just rotated, so nothing is due, and the audit trail says why each
 * was skipped.
 */
export async function sweepDemo(options: {
  reporter: Reporter;
  sweep: Definition;
  /** The rotation workflow, by the name the sweep's definition starts it by. */
  workflow: { name: string; definition: Definition };
  lambdas: ReadonlyMap<string, LocalHandler>;
  audit: DynamoDbAuditStore;
  account: string;
  region: string;
}): Promise<void> {
  await options.reporter.step('ran the daily sweep (the synthesized sweep state machine)', async () => {
    const execution = await runStateMachine(
      options.sweep,
      {},
      {
        lambdas: options.lambdas,
        stateMachines: new Map([[options.workflow.name, options.workflow.definition]]),
      },
      {
        executionId: `arn:aws:states:${options.region}:${options.account}:execution:sweep:local-${Date.now()}`,
      },
    );
    if (execution.status !== 'SUCCEEDED')
      throw new Error(`${execution.error?.name}: ${execution.error?.message}`);
    const [plan] = (await options.audit.bySubject('SYSTEM#rotation-sweep', { limit: 5 })).items.filter(
      (r) => (r.details as { phase?: string }).phase === 'plan',
    );
    const details = (plan?.details ?? {}) as {
      listed?: number;
      due?: number;
      skipped?: Array<{ secret: string; reason: string; until?: string }>;
    };
    return {
      detail: `${details.listed ?? 0} managed secrets listed by tag, ${details.due ?? 0} due; the rest skipped with the reason`,
      block: (details.skipped ?? [])
        .map((s) => `${s.secret}: ${s.reason}${s.until ? ` until ${s.until}` : ''}`)
        .join('\n'),
    };
  });
}
