import {
  BatchGetSecretValueCommand,
  CreateSecretCommand,
  DeleteSecretCommand,
  InvalidParameterException,
} from '@aws-sdk/client-secrets-manager';
import { randomBytes } from 'node:crypto';
import { rejectionOf, startHarness, testValue, type Harness } from './support';

describe('Secrets Manager emulator: BatchGetSecretValue', () => {
  let h: Harness;
  const values = new Map<string, string>();

  beforeAll(async () => {
    h = await startHarness();
    for (const name of ['batch/a', 'batch/b', 'batch/c', 'other/d']) {
      const value = testValue();
      values.set(name, value);
      await h.client.send(new CreateSecretCommand({ Name: name, SecretString: value }));
    }
    await h.client.send(new DeleteSecretCommand({ SecretId: 'batch/c' }));
  });
  afterAll(() => h.close());

  it('returns the AWSCURRENT values of a list of secrets and reports the ones it cannot read', async () => {
    const out = await h.client.send(
      new BatchGetSecretValueCommand({ SecretIdList: ['batch/a', 'batch/c', 'nope', 'other/d'] }),
    );
    expect(out.SecretValues!.map((v) => [v.Name, v.SecretString, v.VersionStages])).toEqual([
      ['batch/a', values.get('batch/a'), ['AWSCURRENT']],
      ['other/d', values.get('other/d'), ['AWSCURRENT']],
    ]);
    expect(out.Errors!.map((e) => [e.SecretId, e.ErrorCode])).toEqual([
      ['batch/c', 'InvalidRequestException'],
      ['nope', 'ResourceNotFoundException'],
    ]);
  });

  it('returns binary values as bytes', async () => {
    const bytes = randomBytes(16);
    await h.client.send(new CreateSecretCommand({ Name: 'binary/x', SecretBinary: bytes }));
    const out = await h.client.send(new BatchGetSecretValueCommand({ SecretIdList: ['binary/x'] }));
    expect(Buffer.from(out.SecretValues![0].SecretBinary!).equals(bytes)).toBe(true);
  });

  it('selects secrets with filters and pages through them', async () => {
    const first = await h.client.send(
      new BatchGetSecretValueCommand({ Filters: [{ Key: 'name', Values: ['batch/'] }], MaxResults: 1 }),
    );
    expect(first.SecretValues!.map((v) => v.Name)).toEqual(['batch/a']);
    const second = await h.client.send(
      new BatchGetSecretValueCommand({
        Filters: [{ Key: 'name', Values: ['batch/'] }],
        MaxResults: 1,
        NextToken: first.NextToken,
      }),
    );
    expect(second.SecretValues!.map((v) => v.Name)).toEqual(['batch/b']);
    expect(second.NextToken).toBeUndefined();
  });

  it('refuses both or neither of SecretIdList and Filters, and MaxResults without Filters', async () => {
    for (const input of [
      {},
      { SecretIdList: ['batch/a'], Filters: [{ Key: 'name' as const, Values: ['batch'] }] },
      { SecretIdList: ['batch/a'], MaxResults: 5 },
    ]) {
      expect(await rejectionOf(h.client.send(new BatchGetSecretValueCommand(input)))).toBeInstanceOf(
        InvalidParameterException,
      );
    }
  });
});
