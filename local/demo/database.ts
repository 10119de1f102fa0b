import {
  CreateSecretCommand,
  GetSecretValueCommand,
  RotateSecretCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import type { DynamoDbAuditStore } from '../../adapters/dynamodb-audit-store';
import { verifyChain } from '../../core/audit/verify';
import type { LocalHandler } from '../lambda-runner';
import { fixturePassword, postgresAccepts, startPostgres, type PostgresServer } from '../postgres';
import type { Reporter } from '../reporter';
import type { SecretsManagerEmulator } from '../secrets-manager';
import type { SynthesizedStack } from '../synth';
import type { EcsStandIn } from '../ecs';
import { runStateMachine, type stateMachineDefinition } from '../state-machine';
import { resourcesOfType } from '../template';
import { DEMO_SECRET_ID } from './demo-stack';

/**
 * The database part of `rotor local`: a throwaway PostgreSQL with password authentication enforced, the
 * demo secret created in the Secrets Manager emulator with the tags the template gives it, and a rotation
 * started the way Secrets Manager starts one (RotateSecret), run by the bundled rotate-database function.
 * Then: the new password logs in, the old one is refused, and the audit trail holds the four steps.
 */
export async function databaseDemo(options: {
  reporter: Reporter;
  stack: SynthesizedStack;
  emulator: SecretsManagerEmulator;
  rotateDatabase: { arn: string; handler: LocalHandler };
  /** The synthesized rotation workflow and the functions it calls. */
  workflow: {
    definition: ReturnType<typeof stateMachineDefinition>;
    lambdas: ReadonlyMap<string, LocalHandler>;
  };
  audit: DynamoDbAuditStore;
  /** The ECS stand-in: a service that reads the secret, which the workflow redeploys. */
  ecs: EcsStandIn;
  cleanups: Array<() => Promise<void> | void>;
}): Promise<boolean> {
  const { reporter, stack, emulator, rotateDatabase, audit } = options;
  const started = performance.now();
  let pg: PostgresServer;
  try {
    pg = await startPostgres();
  } catch (error) {
    reporter.skip(
      'rotated a PostgreSQL password',
      `${(error as Error).message}; run scripts/install-system-packages.sh`,
    );
    return false;
  }
  options.cleanups.push(() => pg.destroy());
  reporter.note(
    'started a throwaway PostgreSQL (scram-sha-256 passwords enforced)',
    `127.0.0.1:${pg.port}`,
    performance.now() - started,
  );

  const sm = new SecretsManagerClient({ endpoint: emulator.endpoint, region: emulator.region });
  const [, secretProps] = resourcesOfType(stack.template, 'AWS::SecretsManager::Secret').find(([id]) =>
    id.startsWith(DEMO_SECRET_ID),
  )!;
  // ManagedSecret gives Secrets Manager the function and EventBridge Scheduler the schedule.
  const [, schedule] = resourcesOfType(stack.template, 'AWS::Scheduler::Schedule').find(([id]) =>
    id.startsWith(DEMO_SECRET_ID),
  )!;
  const name = String(secretProps.Name);
  const password = fixturePassword();

  const { data: arn } = await reporter.step(`created ${name} in the Secrets Manager emulator`, async () => {
    await pg.sql(`CREATE ROLE orders_app LOGIN PASSWORD '${password}'`);
    const tags = (secretProps.Tags as Array<{ Key: string; Value: string }>) ?? [];
    const value = {
      engine: 'postgres',
      host: '127.0.0.1',
      port: pg.port,
      username: 'orders_app',
      password,
      dbname: 'postgres',
      ssl: false,
    };
    const out = await sm.send(
      new CreateSecretCommand({ Name: name, SecretString: JSON.stringify(value), Tags: tags }),
    );
    return {
      detail: `user orders_app; tags ${tags.map((t) => `${t.Key}=${t.Value}`).join(', ')} (from the template)`,
      data: out.ARN!,
    };
  });

  await reporter.step('rotated it: RotateSecret ran the bundled rotate-database function', async () => {
    emulator.registerRotationHandler(
      rotateDatabase.arn,
      async (event) => void (await rotateDatabase.handler(event)),
    );
    const out = await sm.send(
      new RotateSecretCommand({ SecretId: arn, RotationLambdaARN: rotateDatabase.arn }),
    );
    const run = await emulator.rotations.waitFor(out.VersionId!);
    if (run.status !== 'succeeded')
      throw new Error(`rotation failed at ${run.failedStep}: ${(run.error as Error | undefined)?.name}`);
    const page = await audit.bySubject(`SECRET#${name}`, { order: 'oldest', limit: 10 });
    const steps = page.items.map(
      (r) =>
        `${(r.details as { step: string }).step} ${r.outcome} (${(r.details as { durationMs?: number }).durationMs ?? '?'} ms)`,
    );
    return {
      detail: `version ${out.VersionId} is AWSCURRENT; EventBridge Scheduler starts the workflow ${String(schedule.ScheduleExpression)}, within ${(schedule.FlexibleTimeWindow as { MaximumWindowInMinutes?: number } | undefined)?.MaximumWindowInMinutes ?? 0} min`,
      block: steps.join('\n'),
    };
  });

  options.ecs.addService({
    cluster: 'demo',
    serviceName: 'orders-web',
    desiredCount: 2,
    taskDefinition: options.ecs.addTaskDefinition({
      family: 'orders-web',
      containerDefinitions: [
        {
          name: 'app',
          image: 'orders-web',
          secrets: [{ name: 'DB_PASSWORD', valueFrom: `${arn}:password::` }],
        },
      ],
    }),
  });
  reporter.note('registered an ECS service that reads the secret (ECS stand-in)', 'demo/orders-web');

  const before = await currentValue(sm, arn);
  await reporter.step(
    'rotated it again through the rotation workflow (the synthesized state machine)',
    async () => {
      const notices: string[] = [];
      const execution = await runStateMachine(
        options.workflow.definition,
        { secretId: name, reason: 'manual' },
        { lambdas: options.workflow.lambdas, publish: (m) => notices.push(m.Message ?? '') },
        {
          executionId: `arn:aws:states:${emulator.region}:${emulator.accountId}:execution:rotation:local-${Date.now()}`,
        },
      );
      if (execution.status !== 'SUCCEEDED')
        throw new Error(`${execution.error?.name}: ${execution.error?.message}`);
      const after = await currentValue(sm, arn);
      if (after.password === before.password)
        throw new Error('the workflow succeeded but the password did not change');
      // The consumer loop repeats its states while ECS rolls out: each state once, in order.
      const states = [...new Set(execution.states)];
      const [consumers] = (await audit.byType('rotation.consumers', { limit: 1 })).items;
      const moved = (consumers?.details as { moved?: string[] } | undefined)?.moved ?? [];
      return {
        detail: `states: ${states.join(' -> ')}`,
        block: `consumers redeployed and rolled out: ${moved.join(', ') || 'none'}`,
      };
    },
  );

  await reporter.step('checked the database: the new password logs in, the old one is refused', async () => {
    const current = await currentValue(sm, arn);
    const fresh = await postgresAccepts(pg.port, current.username, current.password);
    const stale = await postgresAccepts(pg.port, 'orders_app', password);
    if (!fresh || stale)
      throw new Error(
        `expected the new password to work and the old one to fail (new ${fresh}, old ${stale})`,
      );
    const report = await verifyChain(`SECRET#${name}`, audit.chain(`SECRET#${name}`));
    if (report.broken) throw new Error(report.broken.message);
    return {
      detail: `audit chain SECRET#${name}: ${report.records} records, intact; no password was printed`,
    };
  });
  return true;
}

async function currentValue(
  sm: SecretsManagerClient,
  arn: string,
): Promise<{ username: string; password: string }> {
  return JSON.parse((await sm.send(new GetSecretValueCommand({ SecretId: arn }))).SecretString!);
}
