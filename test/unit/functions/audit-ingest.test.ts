import {
  ConditionalCheckFailedException,
  DynamoDBClient,
  PutItemCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
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

// The audit table as the mocked document client sees it. It lives as long as the module under test, as a
// table outlives a warm Lambda container, so the writer's memory of chain heads stays true.
type Item = { subject: string; seq: number; hash: string; [k: string]: unknown };
const table: Item[] = [];
const headOf = (subject: string) =>
  table.filter((i) => i.subject === subject).sort((a, b) => b.seq - a.seq)[0];

beforeEach(() => {
  dynamo.reset();
  documents.reset();
  documents.on(QueryCommand).callsFake((input) => {
    const head = headOf(input.ExpressionAttributeValues[':pk']);
    return { Items: head ? [head] : [] };
  });
  documents.on(PutCommand).callsFake((input) => {
    const item = input.Item as Item;
    if (table.some((i) => i.subject === item.subject && i.seq === item.seq)) {
      throw new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} });
    }
    table.push(item);
    return {};
  });
  dynamo.on(PutItemCommand).resolves({});
  dynamo.on(UpdateItemCommand).resolves({});
});

const auditPuts = () =>
  documents.commandCalls(PutCommand).filter((call) => call.args[0].input.TableName === AUDIT);

describe('audit-ingest handler', () => {
  it.each(Object.entries(cloudTrailSamples()))(
    'appends one record for a %s call, after the head of its chain',
    async (_name, sample) => {
      const before = headOf('SECRET#prod/orders-db');
      const { result, output, error } = await captureOutput(() => handler(sample, lambdaContext()));
      expect(error).toBeUndefined();
      const seq = (before?.seq ?? 0) + 1;
      expect(result).toMatchObject({ subject: 'SECRET#prod/orders-db', seq });
      expect(auditPuts()).toHaveLength(1);
      const put = auditPuts()[0].args[0].input;
      expect(put.ConditionExpression).toBe('attribute_not_exists(#pk)');
      const item = put.Item!;
      expect(item).toMatchObject({
        subject: 'SECRET#prod/orders-db',
        seq,
        eventType: 'secret.access',
        eventId: sample.detail.eventID,
      });
      expect(item.prevHash).toBe(before?.hash ?? '0'.repeat(64));
      expect(item.hash).toMatch(/^[0-9a-f]{64}$/);
      expect(output).toContain('secret access recorded');
    },
  );

  it('claims the idempotency key of the CloudTrail event before appending', async () => {
    const sample = cloudTrailSamples().GetSecretValue;
    await captureOutput(() => handler(sample, lambdaContext()));
    const claim = dynamo
      .commandCalls(PutItemCommand)
      .find((call) => call.args[0].input.TableName === IDEMPOTENCY);
    expect(claim).toBeDefined();
    expect(JSON.stringify(claim!.args[0].input.Item)).toContain('INPROGRESS');
  });

  it('appends after records another container wrote since, re-reading the head it remembered', async () => {
    await captureOutput(() => handler(cloudTrailSamples().GetSecretValue, lambdaContext()));
    const mine = headOf('SECRET#prod/orders-db');
    for (let i = 1; i <= 3; i++)
      table.push({
        subject: mine.subject,
        seq: mine.seq + i,
        at: '2026-11-24T09:00:00.000Z',
        hash: String(i).repeat(64),
      });
    documents.resetHistory();
    const { result } = await captureOutput(() => handler(cloudTrailSamples().RotateSecret, lambdaContext()));
    expect(result?.seq).toBe(mine.seq + 4);
    const puts = auditPuts().map((c) => c.args[0].input.Item!);
    expect(puts.map((p) => p.seq)).toEqual([mine.seq + 1, mine.seq + 4]); // the first try lost the slot
    expect(puts[1].prevHash).toBe('3'.repeat(64));
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
      responseElements: {
        arn: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/orders-db-AbC123',
        versionId: 'v2',
      },
    });
    const { output } = await captureOutput(() => handler(event, lambdaContext()));
    expect(output.length).toBeGreaterThan(0);
    expect(output).not.toContain(planted);
    expect(JSON.stringify(auditPuts().map((c) => c.args[0].input.Item))).not.toContain(planted);
  });
});
