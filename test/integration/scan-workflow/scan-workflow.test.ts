import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { QueryCommand, ScanCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { StateMachine } from 'aws-local-stepfunctions';
import { DynamoDbAuditStore } from '../../../adapters/dynamodb-audit-store';
import { verifyChain } from '../../../core/audit/verify';
import { startAwsJsonServer, type RunningServer } from '../../../local/aws-json-server';
import { startDynalite, type LocalDynamoDb } from '../../../local/dynalite';
import { createTablesFromTemplate } from '../../../local/tables';
import { captureOutput, lambdaContext } from '../../support/lambda-context';
import { pushImage, startRegistry, type RunningRegistry } from '../../support/registry';
import { ImageStore, type StoredBlob } from '../../unit/scanning/image/support/image-builder';
import { ACCOUNT, REGION, definitionOf, environmentOf, logicalId, synthScannerStack } from './local-workflow';

// The synthesized scan workflow run by aws-local-stepfunctions, each Lambda task mapped to its real handler
// (required in this process with the environment the template gives it), against a real registry
// (docker-registry, standing in for ECR through ROTOR_REGISTRY_ENDPOINT), dynalite for the tables and an
// EventBridge stand-in. Secrets are generated here, at test time.

type Handler = (event: unknown, context: unknown) => Promise<unknown>;
const REPOSITORY = 'shop/api';

let registry: RunningRegistry;
let dynamo: LocalDynamoDb;
let client: DynamoDBClient;
let bus: RunningServer;
const busEvents: Record<string, unknown>[] = [];
let tables: Map<string, string>;
let asl: ConstructorParameters<typeof StateMachine>[0];
let handlers: Record<'Resolve' | 'ScanLayer' | 'Merge', Handler>;
let image: { manifest: StoredBlob; app: StoredBlob; cleanup: StoredBlob };
let rescanAsl: ConstructorParameters<typeof StateMachine>[0];
const password = randomBytes(12).toString('hex');
const pem = generateKeyPairSync('ec', { namedCurve: 'P-256' })
  .privateKey.export({ type: 'pkcs8', format: 'pem' })
  .toString();
const setEnv: string[] = [];

async function buildImage() {
  const store = new ImageStore();
  const app = await store.layer([
    { path: 'etc/', type: 'directory' },
    { path: 'etc/app.env', content: `DATABASE_URL=postgres://orders:${password}@db.internal:5432/orders\n` },
    { path: 'root/.ssh/id_ecdsa', content: pem },
  ]);
  // A later layer deletes app.env: the secret is still in the image, in the layer below.
  const cleanup = await store.layer(
    [
      { path: 'etc/.wh.app.env', content: '' },
      { path: 'srv/readme.txt', content: 'nothing to see\n' },
    ],
    'zstd',
  );
  const config = store.config([app, cleanup], { Env: ['PATH=/usr/bin'] });
  const manifest = store.manifest(config, [app, cleanup]);
  await pushImage(registry.url, REPOSITORY, 'v1', store, manifest);
  return { manifest, app, cleanup };
}

function pushEvent(digest: string) {
  return {
    version: '0',
    id: 'e1',
    source: 'aws.ecr',
    'detail-type': 'ECR Image Action',
    account: ACCOUNT,
    region: REGION,
    time: new Date().toISOString(),
    resources: [],
    detail: {
      'action-type': 'PUSH',
      result: 'SUCCESS',
      'repository-name': REPOSITORY,
      'image-digest': digest,
      'image-tag': 'v1',
    },
  };
}

async function runWorkflow(input: unknown) {
  return captureOutput(() => runScan(input));
}

/** One execution of the scan workflow, each Lambda task running its real handler in this process. */
async function runScan(input: unknown): Promise<Record<string, any>> {
  const machine = new StateMachine(asl, { validationOptions: { checkArn: false } });
  const invoke = (name: keyof typeof handlers, fn: string) => (payload: unknown) =>
    handlers[name](payload, lambdaContext(fn)) as Promise<never>;
  const execution = machine.run(input as never, {
    overrides: {
      taskResourceLocalHandlers: {
        Resolve: invoke('Resolve', 'scan-resolve'),
        ScanLayer: invoke('ScanLayer', 'scan-layer'),
        Merge: invoke('Merge', 'scan-merge'),
        RecordFailure: async (failure) => {
          busEvents.push({ DetailType: 'Rotor Scan Failed', failure });
          return {};
        },
      },
      retryIntervalOverrides: { Resolve: 0, ScanLayer: 0, Merge: 0, RecordFailure: 0 },
    },
    context: {
      Execution: {
        Id: `arn:aws:states:${REGION}:${ACCOUNT}:execution:ScanWorkflow:${randomBytes(4).toString('hex')}`,
        Input: input as never,
      },
    },
  });
  return (await execution.result) as Record<string, any>;
}

async function findings(): Promise<Record<string, unknown>[]> {
  const out = await client.send(new ScanCommand({ TableName: tables.get(logicalIdOf('Findings'))! }));
  return (out.Items ?? []).map((i) => unmarshall(i));
}

let template: ReturnType<typeof synthScannerStack>;
function logicalIdOf(prefix: string): string {
  return logicalId(template, 'AWS::DynamoDB::Table', `Scanner${prefix}`);
}

beforeAll(async () => {
  template = synthScannerStack({ rescan: true });
  [registry, dynamo] = await Promise.all([startRegistry(), startDynalite()]);
  client = dynamo.client();
  tables = await createTablesFromTemplate(client, template as never);
  bus = await startAwsJsonServer({
    targetPrefix: 'AWSEvents',
    operations: {
      PutEvents: (input) => {
        const entries = (input.Entries as Record<string, unknown>[]) ?? [];
        busEvents.push(...entries);
        return { FailedEntryCount: 0, Entries: entries.map((_, i) => ({ EventId: `ev-${i}` })) };
      },
    },
  });
  image = await buildImage();

  const machineId = logicalId(template, 'AWS::StepFunctions::StateMachine', 'ScannerScanWorkflow');
  asl = definitionOf(template, machineId, tables);
  rescanAsl = definitionOf(
    template,
    logicalId(template, 'AWS::StepFunctions::StateMachine', 'ScannerRescanWorkflow'),
    tables,
  );
  const env: Record<string, string> = {};
  for (const prefix of ['ScannerResolveFunction', 'ScannerScanLayerFunction', 'ScannerMergeFunction']) {
    Object.assign(env, environmentOf(template, logicalId(template, 'AWS::Lambda::Function', prefix), tables));
  }
  Object.assign(env, {
    AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
    AWS_ENDPOINT_URL_EVENTBRIDGE: bus.endpoint,
    // Test-only: the construct never sets it; the functions then reach ECR.
    ROTOR_REGISTRY_ENDPOINT: registry.url,
  });
  for (const [k, v] of Object.entries(env)) {
    if (process.env[k] === undefined) setEnv.push(k);
    process.env[k] = v;
  }

  handlers = {
    Resolve: require('../../../functions/scan-resolve/handler').handler,
    ScanLayer: require('../../../functions/scan-layer/handler').handler,
    Merge: require('../../../functions/scan-merge/handler').handler,
  };
});

afterAll(async () => {
  for (const k of setEnv) delete process.env[k];
  await Promise.all([registry?.stop(), dynamo?.close(), bus?.close()]);
});

describe('the scan workflow on a pushed image', () => {
  let first: Awaited<ReturnType<typeof runWorkflow>>;

  beforeAll(async () => {
    first = await runWorkflow(pushEvent(image.manifest.digest));
  });

  it('scans both layers and stores each finding once, with deletedBy on the deleted file', async () => {
    expect(first.error).toBeUndefined();
    const result = first.result!;
    expect(result.resolve.layers.map((l: { digest: string }) => l.digest).sort()).toEqual(
      [image.app.digest, image.cleanup.digest].sort(),
    );
    expect(result.merge.problems).toEqual([]);
    const stored = await findings();
    expect(stored).toHaveLength(result.merge.newFindings);
    const databaseUrl = stored.find((f) => f.ruleId === 'database-url-password');
    expect(databaseUrl).toMatchObject({
      path: 'etc/app.env',
      layerDigest: image.app.digest,
      deletedBy: image.cleanup.digest,
      imageDigest: image.manifest.digest,
      repository: REPOSITORY,
    });
    const key = stored.find((f) => f.path === 'root/.ssh/id_ecdsa');
    expect(key).toMatchObject({
      ruleId: expect.stringMatching(/^private-key/),
      layerDigest: image.app.digest,
    });
    expect(key!.deletedBy).toBeUndefined();
    for (const f of stored) expect(f.auditedAt).toEqual(expect.any(String));
  });

  it('appends one scan.finding audit record per new finding to the image chain', async () => {
    const out = await client.send(
      new QueryCommand({
        TableName: tables.get(logicalId(template, 'AWS::DynamoDB::Table', 'AuditTable'))!,
        KeyConditionExpression: 'subject = :s',
        ExpressionAttributeValues: { ':s': { S: `IMAGE#${REPOSITORY}` } },
      }),
    );
    const records = (out.Items ?? []).map((i) => unmarshall(i));
    expect(records).toHaveLength(first.result!.merge.newFindings);
    const deleted = records.find((r) => r.details.ruleId === 'database-url-password');
    expect(deleted).toMatchObject({
      eventType: 'scan.finding',
      actor: 'rotor:scanner',
      details: { layerDigest: image.app.digest, deletedInLayer: image.cleanup.digest },
    });
    const store = new DynamoDbAuditStore(
      tables.get(logicalId(template, 'AWS::DynamoDB::Table', 'AuditTable'))!,
      client,
    );
    const subject = `IMAGE#${REPOSITORY}`;
    expect((await verifyChain(subject, store.chain(subject))).broken).toBeUndefined();
  });

  it('keeps the generated secrets out of logs, findings and audit records', async () => {
    const everything = JSON.stringify(await findings()) + first.output + JSON.stringify(first.result);
    expect(everything).not.toContain(password);
    expect(everything).not.toContain(pem.split('\n')[1]);
  });

  it('reads no layer again and stores nothing new on a second push of the same image', async () => {
    const before = await findings();
    const second = await runWorkflow(pushEvent(image.manifest.digest));
    expect(second.error).toBeUndefined();
    expect(second.result!.resolve).toMatchObject({ layers: [], layersCached: 2 });
    expect(second.result!.merge).toMatchObject({ newFindings: 0, findings: before.length });
    expect(await findings()).toHaveLength(before.length);
  });

  it('records the failure through the Catch when the image does not exist', async () => {
    const missing = `sha256:${'0'.repeat(64)}`;
    const failed = await runWorkflow(pushEvent(missing));
    expect(failed.error).toBeDefined();
    const recorded = busEvents.find((e) => e.DetailType === 'Rotor Scan Failed') as
      { failure: { Entries: [{ Detail: { error: { Error: string }; input: unknown } }] } } | undefined;
    expect(recorded?.failure.Entries[0].Detail).toMatchObject({
      error: { Error: 'BlobNotFoundError' },
      input: { detail: { 'image-digest': missing } },
    });
  });
});

describe('the scheduled rescan', () => {
  it('starts a scan per image of every repository, reading only layers not scanned before', async () => {
    // A second repository whose image shares the first image's layer and adds one of its own.
    const store = new ImageStore();
    const shared = store.add(image.app.bytes, image.app.mediaType);
    const own = await store.layer([{ path: 'srv/web.txt', content: 'web\n' }]);
    const web = store.manifest(store.config([shared, own]), [shared, own]);
    await pushImage(registry.url, 'shop/web', 'v1', store, web);
    const digests: Record<string, string> = { 'shop/api': image.manifest.digest, 'shop/web': web.digest };

    const scans: Record<string, any>[] = [];
    const machine = new StateMachine(rescanAsl, { validationOptions: { checkArn: false } });
    const run = await captureOutput(async () => {
      const execution = machine.run(
        {},
        {
          context: {
            Execution: { Id: `arn:aws:states:${REGION}:${ACCOUNT}:execution:RescanWorkflow:weekly` },
          },
          overrides: {
            taskResourceLocalHandlers: {
              ListRepositories: async () => ({
                Repositories: Object.keys(digests).map((name) => ({ RepositoryName: name })),
              }),
              ListImages: async (input) => {
                const name = (input as { RepositoryName: string }).RepositoryName;
                return { ImageIds: [{ ImageDigest: digests[name], ImageTag: 'v1' }] };
              },
              ScanImage: async (input) => {
                const start = input as { Input: Record<string, unknown> };
                const result = await runScan(start.Input);
                scans.push(result);
                return { Output: JSON.stringify(result.merge) };
              },
            },
          },
        },
      );
      return execution.result;
    });
    expect(run.error).toBeUndefined();
    expect(scans.map((s) => [s.resolve.registry, s.resolve.repository, s.resolve.digest]).sort()).toEqual([
      [`${ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com`, 'shop/api', image.manifest.digest],
      [`${ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com`, 'shop/web', web.digest],
    ]);
    const webScan = scans.find((s) => s.resolve.repository === 'shop/web')!;
    expect(webScan.resolve.layers.map((l: { digest: string }) => l.digest)).toEqual([own.digest]);
    expect(webScan.resolve.layersCached).toBe(1);
    const apiScan = scans.find((s) => s.resolve.repository === 'shop/api')!;
    expect(apiScan.merge.newFindings).toBe(0);
    // The shared layer's secrets are new sightings in the web image: stored once more, under its digest.
    expect(webScan.merge.newFindings).toBeGreaterThan(0);
    expect((await findings()).filter((f) => f.imageDigest === web.digest)).toHaveLength(
      webScan.merge.newFindings,
    );
  });
});
