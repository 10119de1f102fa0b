import {
  ListSecretsCommand,
  SecretsManagerClient,
  TagResourceCommand,
} from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { listAllManagedSecrets, tagSecret } from '../../../adapters/secrets-listing';
import { SecretStoreRequestError, SecretStoreUnavailableError } from '../../../core/rotation/errors';

const sm = mockClient(SecretsManagerClient);
const awsError = (name: string) => Object.assign(new Error(`${name} from Secrets Manager`), { name });
const entry = (i: number) => ({
  ARN: `arn:aws:secretsmanager:eu-west-1:123456789012:secret:s${i}-AbCdEf`,
  Name: `s${i}`,
  Tags: [
    { Key: 'rotor:kind', Value: 'postgres' },
    { Key: 'rotor:interval-days', Value: '30' },
  ],
  RotationEnabled: true,
  RotationLambdaARN: 'arn:aws:lambda:eu-west-1:123456789012:function:rotate',
  CreatedDate: new Date('2026-01-01T00:00:00Z'),
  LastRotatedDate: new Date('2026-02-01T00:00:00Z'),
});
const noSleep = async () => undefined;

beforeEach(() => sm.reset());

describe('listManagedSecrets', () => {
  it('lists every page of secrets tagged rotor:kind, deletions included, 100 a page', async () => {
    sm.on(ListSecretsCommand)
      .resolvesOnce({ SecretList: [entry(1), entry(2)], NextToken: 'p2' })
      .resolvesOnce({ SecretList: [entry(3)], NextToken: 'p3' })
      .resolvesOnce({ SecretList: [{ ...entry(4), DeletedDate: new Date('2026-03-01T00:00:00Z') }] });
    const listed = await listAllManagedSecrets(new SecretsManagerClient({}), { sleep: noSleep });
    expect(listed.map((s) => s.name)).toEqual(['s1', 's2', 's3', 's4']);
    const calls = sm.commandCalls(ListSecretsCommand).map((c) => c.args[0].input);
    expect(calls).toEqual([
      {
        Filters: [{ Key: 'tag-key', Values: ['rotor:kind'] }],
        IncludePlannedDeletion: true,
        MaxResults: 100,
      },
      expect.objectContaining({ NextToken: 'p2' }),
      expect.objectContaining({ NextToken: 'p3' }),
    ]);
    expect(listed[0]).toEqual({
      arn: entry(1).ARN,
      name: 's1',
      tags: { 'rotor:kind': 'postgres', 'rotor:interval-days': '30' },
      rotationEnabled: true,
      rotationLambdaArn: entry(1).RotationLambdaARN,
      createdDate: new Date('2026-01-01T00:00:00Z'),
      lastRotatedDate: new Date('2026-02-01T00:00:00Z'),
    });
    expect(listed[3].deletedDate).toEqual(new Date('2026-03-01T00:00:00Z'));
  });

  it('retries a throttled page where it was, without listing again from the start', async () => {
    sm.on(ListSecretsCommand)
      .resolvesOnce({ SecretList: [entry(1)], NextToken: 'p2' })
      .rejectsOnce(awsError('ThrottlingException'))
      .rejectsOnce(awsError('ThrottlingException'))
      .resolvesOnce({ SecretList: [entry(2)] });
    const delays: number[] = [];
    const listed = await listAllManagedSecrets(new SecretsManagerClient({}), {
      sleep: async (ms) => void delays.push(ms),
      baseDelayMs: 100,
    });
    expect(listed.map((s) => s.name)).toEqual(['s1', 's2']);
    const tokens = sm.commandCalls(ListSecretsCommand).map((c) => c.args[0].input.NextToken);
    expect(tokens).toEqual([undefined, 'p2', 'p2', 'p2']);
    expect(delays).toHaveLength(2);
    expect(delays[1]).toBeLessThan(200);
  });

  it('gives up on persistent throttling with a retryable error naming the code', async () => {
    sm.on(ListSecretsCommand).rejects(awsError('ThrottlingException'));
    const listing = listAllManagedSecrets(new SecretsManagerClient({}), { sleep: noSleep, attempts: 3 });
    await expect(listing).rejects.toThrow(SecretStoreUnavailableError);
    await expect(
      listAllManagedSecrets(new SecretsManagerClient({}), { sleep: noSleep, attempts: 3 }),
    ).rejects.toThrow(/ListSecrets after 3 attempts \(ThrottlingException\)/);
  });

  it('does not retry a refusal (permissions)', async () => {
    sm.on(ListSecretsCommand).rejects(awsError('AccessDeniedException'));
    await expect(listAllManagedSecrets(new SecretsManagerClient({}), { sleep: noSleep })).rejects.toThrow(
      SecretStoreRequestError,
    );
    expect(sm.commandCalls(ListSecretsCommand)).toHaveLength(1);
  });
});

describe('tagSecret', () => {
  it('writes the tags with TagResource, retrying throttling', async () => {
    sm.on(TagResourceCommand).rejectsOnce(awsError('ThrottlingException')).resolves({});
    await tagSecret(
      new SecretsManagerClient({}),
      'tls/api',
      { 'rotor:not-after': '2026-02-01T00:00:00.000Z' },
      {
        sleep: noSleep,
      },
    );
    expect(sm.commandCalls(TagResourceCommand).map((c) => c.args[0].input)).toEqual([
      { SecretId: 'tls/api', Tags: [{ Key: 'rotor:not-after', Value: '2026-02-01T00:00:00.000Z' }] },
      { SecretId: 'tls/api', Tags: [{ Key: 'rotor:not-after', Value: '2026-02-01T00:00:00.000Z' }] },
    ]);
  });
});
