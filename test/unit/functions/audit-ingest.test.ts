import { DynamoDBClient, PutItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { cloudTrailEvent, cloudTrailSamples } from '../../../local/samples/cloudtrail';
import { captureOutput, lambdaContext } from '../../support/lambda-context';

const AUDIT = 'rotor-audit';
const IDEMPOTENCY = 'rotor-ingest-idempotency';
// The idempotency layer talks through the plain client, the audit store through the document client.
const dynamo = mockClient(DynamoDBClient);
const documents = mockClient(DynamoDBDocumentClient);

type Handler = (event: unknown, context: unknown) => Promise<{ subject: string; seq: number }>;
let handler: Handler;

beforeAll(() => {
  process.env.AUDIT_TABLE_NAME = AUDIT;
  process.env.IDEMPOTENCY_TABLE_NAME = IDEMPOTENCY;
  process.env.POWERTOOLS_METRICS_DISABLED = 'true';
  // Required after the environment is set; same module registry, so the mocked client class is the one it uses.
  handler = require('../../../functions/audit-ingest/handler').handler;
});

beforeEach(() => {
  dynamo.reset();
  documents.reset();
  documents.on(QueryCommand).resolves({ Items: [] });
  documents.on(PutCommand).resolves({});
  dynamo.on(PutItemCommand).resolves({});
  dynamo.on(UpdateItemCommand).resolves({});
});

const auditPuts = () => documents.commandCalls(PutCommand).filter((call) => call.args[0].input.TableName === AUDIT);

describe('audit-ingest handler', () => {
  it.each(Object.entries(cloudTrailSamples()))('appends one record for a %s call', async (_name, sample) => {
    const { result, output, error } = await captureOutput(() => handler(sample, lambdaContext()));
    expect(error).toBeUndefined();
    expect(result).toMatchObject({ subject: 'SECRET#prod/orders-db', seq: 1 });
    expect(auditPuts()).toHaveLength(1);
    const put = auditPuts()[0].args[0].input;
    expect(put.ConditionExpression).toBe('attribute_not_exists(#pk)');
    const item = put.Item!;
    expect(item).toMatchObject({ subject: 'SECRET#prod/orders-db', seq: 1, eventType: 'secret.access', eventId: sample.detail.eventID });
    expect(item.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(output).toContain('secret access recorded');
  });

  it('claims the idempotency key of the CloudTrail event before appending', async () => {
    const sample = cloudTrailSamples().GetSecretValue;
    await handler(sample, lambdaContext());
    const claim = dynamo.commandCalls(PutItemCommand).find((call) => call.args[0].input.TableName === IDEMPOTENCY);
    expect(claim).toBeDefined();
    expect(JSON.stringify(claim!.args[0].input.Item)).toContain('INPROGRESS');
  });

  it('appends after the current head of the chain', async () => {
    documents.on(QueryCommand).resolves({
      Items: [{ subject: 'SECRET#prod/orders-db', seq: 41, at: '2026-11-24T07:00:00.000Z', hash: 'f'.repeat(64) }],
    });
    const result = await handler(cloudTrailSamples().RotateSecret, lambdaContext());
    expect(result.seq).toBe(42);
    expect(auditPuts()[0].args[0].input.Item!.prevHash).toBe('f'.repeat(64));
  });

  it.each([
    ['from another service', { ...cloudTrailSamples().GetSecretValue, source: 'aws.kms' }],
    ['without a user identity', cloudTrailEvent('GetSecretValue', { userIdentity: 'someone' })],
    ['naming no secret', cloudTrailEvent('GetSecretValue', { requestParameters: null })],
  ])('rejects an event %s with a clear error and writes nothing to the trail', async (_why, event) => {
    const { error, output } = await captureOutput(() => handler(event, lambdaContext()));
    expect((error as Error).name).toBe('MalformedCloudTrailEventError');
    expect(auditPuts()).toHaveLength(0);
    expect(output).toContain('MalformedCloudTrailEventError');
  });

  it('rejects an event without a CloudTrail event id before doing anything', async () => {
    const event = cloudTrailSamples().GetSecretValue as { detail: Record<string, unknown> };
    delete event.detail.eventID;
    const { error } = await captureOutput(() => handler(event, lambdaContext()));
    expect(error).toBeDefined();
    expect(auditPuts()).toHaveLength(0);
  });

  it('never logs request parameters or anything that looks like a secret value', async () => {
    const planted = `s3cr3t-${Math.random().toString(36).slice(2)}-${Date.now()}`;
    const event = cloudTrailEvent('PutSecretValue', {
      requestParameters: { secretId: 'prod/orders-db', secretString: planted, clientRequestToken: planted },
      responseElements: { arn: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/orders-db-AbC123', versionId: 'v2' },
    });
    const { output } = await captureOutput(() => handler(event, lambdaContext()));
    expect(output.length).toBeGreaterThan(0);
    expect(output).not.toContain(planted);
    expect(JSON.stringify(auditPuts().map((c) => c.args[0].input.Item))).not.toContain(planted);
  });
});
