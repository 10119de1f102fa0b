import { rmSync } from 'node:fs';
import { DynamoDbAuditStore } from '../adapters/dynamodb-audit-store';
import { startDynalite } from './dynalite';
import { auditDemo } from './demo/audit';
import { databaseDemo } from './demo/database';
import { KMSClient } from '@aws-sdk/client-kms';
import { apiKeyDemo } from './demo/api-key';
import { certificateDemo } from './demo/certificate';
import { startKmsStandIn } from './kms';
import { remediationDemo } from './demo/remediation';
import { scanDemo } from './demo/scan';
import { sweepDemo } from './demo/sweep';
import { startEcsStandIn } from './ecs';
import { startEventBusStandIn } from './events';
import { startRegistry, type RunningRegistry } from './registry';
import { addDemoSecrets } from './demo/demo-stack';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { createGeneratedSecrets } from './generated-secrets';
import { startSecretsManagerEmulator } from './secrets-manager';
import { loadFunction, withEnvironment } from './lambda-runner';
import { Reporter, type StepRecord } from './reporter';
import { stateMachineDefinition } from './state-machine';
import { synthesize, type SynthesizedStack } from './synth';
import { createTablesFromTemplate } from './tables';

export interface LocalRunOptions {
  readonly print: (line: string) => void;
  /** Show the functions' own logs (Powertools JSON). */
  readonly verbose?: boolean;
  /** Keep the cloud assembly folder instead of deleting it. */
  readonly keepAssembly?: boolean;
}

export interface LocalRunResult {
  readonly ok: boolean;
  readonly steps: StepRecord[];
  readonly assembly?: string;
}

const LOCAL_ACCOUNT = '000000000000';
const LOCAL_REGION = 'us-east-1';

/**
 * `rotor local`: synthesizes the stack, starts the stand-ins, creates what the template declares and runs
 * Rotor's main job on them with the functions `cdk synth` bundled. Nothing leaves this machine.
 */
export async function runLocal(options: LocalRunOptions): Promise<LocalRunResult> {
  const reporter = new Reporter(options.print);
  const cleanups: Array<() => Promise<void> | void> = [];
  let assembly: string | undefined;
  try {
    const synth = await reporter.step('synthesized the stack (esbuild bundles, cdk-nag checks)', async () => {
      const result = synthesize({ customize: addDemoSecrets });
      assembly = result.outdir;
      const counts = countTypes(result.template.Resources);
      return { detail: `${counts} in ${result.outdir}`, data: result };
    });
    const stack = synth.data;
    if (!options.keepAssembly) cleanups.push(() => rmSync(stack.outdir, { recursive: true, force: true }));

    const dynamo = await reporter.step('started dynalite, the local DynamoDB', async () => {
      const db = await startDynalite();
      cleanups.push(() => db.close());
      return { detail: db.endpoint, data: db };
    });
    const client = dynamo.data.client();

    const tables = await reporter.step('created the tables the template declares', async () => {
      const created = await createTablesFromTemplate(client, stack.template, (id) => `rotor-${id}`);
      return { detail: [...created.values()].join(', '), data: created };
    });

    const functionArn = (logicalId: string) =>
      `arn:aws:lambda:${LOCAL_REGION}:${LOCAL_ACCOUNT}:function:${logicalId}`;
    const physical = (logicalId: string, attribute?: string): string => {
      if (stack.functions.some((f) => f.logicalId === logicalId))
        return attribute === 'Arn' ? functionArn(logicalId) : logicalId;
      const table = tables.data.get(logicalId);
      if (table)
        return attribute === 'Arn'
          ? `arn:aws:dynamodb:${LOCAL_REGION}:${LOCAL_ACCOUNT}:table/${table}`
          : table;
      return attribute ? `arn:aws:local:${LOCAL_REGION}:${LOCAL_ACCOUNT}:${logicalId}` : `rotor-${logicalId}`;
    };
    const emulator = await reporter.step('started the Secrets Manager emulator', async () => {
      const sm = await startSecretsManagerEmulator({ region: LOCAL_REGION, accountId: LOCAL_ACCOUNT });
      cleanups.push(async () => {
        await sm.rotations.settled();
        await sm.close();
      });
      return { detail: sm.endpoint, data: sm };
    });
    await reporter.step('generated the secrets the template lets CloudFormation generate', async () => {
      const client = new SecretsManagerClient({
        endpoint: emulator.data.endpoint,
        region: LOCAL_REGION,
        credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      });
      const names = await createGeneratedSecrets(stack.template, client, (id) => physical(id));
      return { detail: `${names.join(', ') || 'none'} (the scanner's fingerprint key)` };
    });

    // A registry for the scanner's part, when Debian's docker-registry is installed.
    let registry: RunningRegistry | undefined;
    let registryProblem: string | undefined;
    try {
      registry = await startRegistry();
      const running = registry;
      cleanups.push(() => running.stop());
      reporter.note('started a local OCI registry (docker-registry)', running.url);
    } catch (error) {
      registryProblem = (error as Error).message;
    }
    const events = await startEventBusStandIn();
    cleanups.push(() => events.close());
    // KMS for the certificate demo's CA key (Sign, GetPublicKey).
    const kmsStandIn = await startKmsStandIn({ region: LOCAL_REGION, accountId: LOCAL_ACCOUNT });
    cleanups.push(() => kmsStandIn.close());
    // The ECS calls of consumer refresh: the demo's service that reads the database secret.
    const ecs = await startEcsStandIn({
      region: LOCAL_REGION,
      accountId: LOCAL_ACCOUNT,
      rolloutDelayMs: 200,
    });
    cleanups.push(() => ecs.close());

    const restoreEnvironment = withEnvironment({
      AWS_REGION: LOCAL_REGION,
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
      AWS_ENDPOINT_URL_DYNAMODB: dynamo.data.endpoint,
      AWS_ENDPOINT_URL_SECRETS_MANAGER: emulator.data.endpoint,
      AWS_ENDPOINT_URL_EVENTBRIDGE: events.endpoint,
      AWS_ENDPOINT_URL_ECS: ecs.endpoint,
      AWS_ENDPOINT_URL_KMS: kmsStandIn.endpoint,
      // Local only (the stack never sets it): the scan functions pull from the local registry, not ECR.
      ...(registry ? { ROTOR_REGISTRY_ENDPOINT: registry.url } : {}),
      POWERTOOLS_METRICS_DISABLED: 'true',
      POWERTOOLS_TRACE_ENABLED: 'false',
      POWERTOOLS_LOG_LEVEL: options.verbose ? 'DEBUG' : 'SILENT',
    });
    cleanups.push(restoreEnvironment);
    const ingestFn = stack.functions.find((f) => f.logicalId.startsWith('AuditIngest'));
    if (!ingestFn) throw new Error('the template has no audit-ingest function');
    const ingest = loadFunction(ingestFn, physical, { quiet: !options.verbose });
    const auditTable = [...tables.data.entries()].find(([id]) => id.startsWith('AuditTable'))![1];

    await auditDemo({ reporter, client, auditTable, ingest });

    // Every function of the template, by the ARN the local state machines call it by.
    const lambdas = new Map(
      stack.functions
        .filter((f) => !f.logicalId.startsWith('AuditIngest'))
        .map(
          (f) => [functionArn(f.logicalId), loadFunction(f, physical, { quiet: !options.verbose })] as const,
        ),
    );
    const rotateFn = stack.functions.find((f) => f.logicalId.startsWith('RotateDatabasePostgres'));
    if (!rotateFn) throw new Error('the template has no rotate-database function');
    const databaseRan = await databaseDemo({
      reporter,
      stack,
      emulator: emulator.data,
      rotateDatabase: {
        arn: functionArn(rotateFn.logicalId),
        handler: lambdas.get(functionArn(rotateFn.logicalId))!,
      },
      workflow: { definition: stateMachineNamed(stack, 'Rotation', physical), lambdas },
      audit: new DynamoDbAuditStore(auditTable, client),
      ecs,
      cleanups,
    });

    const fn = (prefix: string) => {
      const found = stack.functions.find((f) => f.logicalId.startsWith(prefix));
      if (!found) throw new Error(`the template has no ${prefix} function`);
      return { arn: functionArn(found.logicalId), handler: lambdas.get(functionArn(found.logicalId))! };
    };
    const sm = new SecretsManagerClient({
      endpoint: emulator.data.endpoint,
      region: LOCAL_REGION,
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    const apiKey = await apiKeyDemo({
      reporter,
      stack,
      emulator: emulator.data,
      sm,
      ecs,
      rotateApiKey: fn('RotateApiKey'),
      updateFingerprints: fn('FingerprintsUpdater').handler,
      alsoFingerprint: databaseRan ? ['demo/orders-db'] : [],
      cleanups,
    });

    await certificateDemo({
      reporter,
      stack,
      emulator: emulator.data,
      sm,
      kms: new KMSClient({
        endpoint: kmsStandIn.endpoint,
        region: LOCAL_REGION,
        credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      }),
      rotateCertificate: fn('RotateCertificate'),
    });

    await scanDemo({
      plant: [{ path: 'app/config/billing.env', content: `BILLING_API_KEY=${apiKey.leakedKey}\n` }],
      reporter,
      registry,
      registryProblem,
      workflow: { definition: stateMachineNamed(stack, 'ScannerScanWorkflow', physical), lambdas },
      client,
      findingsTable: [...tables.data.entries()].find(([id]) => id.startsWith('ScannerFindings'))![1],
      audit: new DynamoDbAuditStore(auditTable, client),
      account: LOCAL_ACCOUNT,
      region: LOCAL_REGION,
    });

    await remediationDemo({
      reporter,
      stack,
      events: events.events,
      apiKey,
      workflow: {
        definition: stateMachineNamed(stack, 'Rotation', physical),
        lambdas,
        logicalId: stateMachineId(stack, 'Rotation'),
      },
      audit: new DynamoDbAuditStore(auditTable, client),
      account: LOCAL_ACCOUNT,
      region: LOCAL_REGION,
    });
    await sweepDemo({
      reporter,
      sweep: stateMachineNamed(stack, 'Sweep', physical),
      workflow: {
        name: physical(stateMachineId(stack, 'Rotation')),
        definition: stateMachineNamed(stack, 'Rotation', physical),
      },
      lambdas,
      audit: new DynamoDbAuditStore(auditTable, client),
      account: LOCAL_ACCOUNT,
      region: LOCAL_REGION,
    });
    return { ok: true, steps: reporter.steps, assembly: options.keepAssembly ? assembly : undefined };
  } catch (error) {
    // A failure inside a step is already reported; one between steps is reported here.
    if (reporter.steps.every((step) => step.ok)) {
      reporter.steps.push({
        name: 'local run',
        ok: false,
        ms: 0,
        detail: `${(error as Error).name}: ${(error as Error).message}`,
      });
    }
    return { ok: false, steps: reporter.steps };
  } finally {
    for (const cleanup of cleanups.reverse()) await cleanup();
  }
}

/** A state machine's definition from the template (by the prefix of its logical id), resolved to local names. */
function stateMachineNamed(
  stack: SynthesizedStack,
  prefix: string,
  physical: (id: string, attribute?: string) => string,
) {
  return stateMachineDefinition(stack.template, stateMachineId(stack, prefix), physical);
}

function stateMachineId(stack: SynthesizedStack, prefix: string): string {
  const id = Object.keys(stack.template.Resources).find(
    (key) =>
      key.startsWith(prefix) && stack.template.Resources[key].Type === 'AWS::StepFunctions::StateMachine',
  );
  if (!id) throw new Error(`the template has no ${prefix} state machine`);
  return id;
}

function countTypes(resources: Record<string, { Type: string }>): string {
  const count = (type: string, noun: string) => {
    const n = Object.values(resources).filter((r) => r.Type === type).length;
    return `${n} ${noun}${n === 1 ? '' : 's'}`;
  };
  return [
    count('AWS::DynamoDB::Table', 'table'),
    count('AWS::Lambda::Function', 'function'),
    count('AWS::Events::Rule', 'rule'),
    count('AWS::StepFunctions::StateMachine', 'state machine'),
  ].join(', ');
}
