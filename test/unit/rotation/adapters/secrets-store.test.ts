import { inspect } from 'node:util';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import {
  DescribeSecretCommand,
  GetRandomPasswordCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  SecretsManagerClient,
  UpdateSecretVersionStageCommand,
} from '@aws-sdk/client-secrets-manager';
import { randomUUID } from 'node:crypto';
import { Sensitive } from '../../../../core/sensitive';
import { awsErrorInfo } from '../../../../adapters/aws-errors';
import { secretsManagerStore } from '../../../../adapters/secrets-store';
import {
  SecretStoreRequestError,
  SecretStoreUnavailableError,
  VersionExistsError,
} from '../../../../core/rotation/errors';
import { randomPasswordRequest, resolvePasswordPolicy } from '../../../../core/rotation/password-policy';

const sm = mockClient(SecretsManagerClient);
const store = secretsManagerStore(new SecretsManagerClient({ region: 'eu-west-1' }));
const awsError = (name: string, extra: Record<string, unknown> = {}) =>
  Object.assign(new Error(`${name} happened`), {
    name,
    $fault: 'client',
    $metadata: { httpStatusCode: 400 },
    ...extra,
  });

beforeEach(() => sm.reset());

describe('secretsManagerStore', () => {
  it('describes a secret: ARN, rotation flag, staged versions and tags', async () => {
    sm.on(DescribeSecretCommand).resolves({
      ARN: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:orders-AbCdEf',
      Name: 'orders',
      RotationEnabled: true,
      VersionIdsToStages: { v1: ['AWSCURRENT'], v2: ['AWSPENDING'] },
      Tags: [{ Key: 'rotor:kind', Value: 'postgres' }],
    });
    await expect(store.describe('orders')).resolves.toEqual({
      arn: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:orders-AbCdEf',
      name: 'orders',
      rotationEnabled: true,
      versionIdsToStages: { v1: ['AWSCURRENT'], v2: ['AWSPENDING'] },
      tags: { 'rotor:kind': 'postgres' },
    });
  });

  it('reads a version by id and stage, keeping the value sensitive', async () => {
    const value = `{"password":"${randomUUID()}"}`;
    sm.on(GetSecretValueCommand, {
      SecretId: 'orders',
      VersionId: 'v2',
      VersionStage: 'AWSPENDING',
    }).resolves({
      VersionId: 'v2',
      SecretString: value,
      VersionStages: ['AWSPENDING'],
    });
    const version = await store.getValue('orders', { versionId: 'v2', stage: 'AWSPENDING' });
    expect(version?.secretString.reveal()).toBe(value);
    expect(inspect(version)).not.toContain(value);
  });

  it('answers undefined when the version or stage has no value', async () => {
    sm.on(GetSecretValueCommand).rejects(awsError('ResourceNotFoundException'));
    await expect(store.getValue('orders', { versionId: 'v3', stage: 'AWSPENDING' })).resolves.toBeUndefined();
  });

  it('refuses a binary secret', async () => {
    sm.on(GetSecretValueCommand).resolves({ VersionId: 'v1', SecretBinary: new Uint8Array([1]) });
    await expect(store.getValue('orders', { stage: 'AWSCURRENT' })).rejects.toThrow(/SecretString/);
  });

  it('puts a value with the token and stages', async () => {
    sm.on(PutSecretValueCommand).resolves({});
    await store.putValue('orders', { token: 't1', secretString: Sensitive.of('{}'), stages: ['AWSPENDING'] });
    expect(sm).toHaveReceivedCommandWith(PutSecretValueCommand, {
      SecretId: 'orders',
      ClientRequestToken: 't1',
      SecretString: '{}',
      VersionStages: ['AWSPENDING'],
    });
  });

  it('reports a token already used for another value as VersionExistsError', async () => {
    sm.on(PutSecretValueCommand).rejects(awsError('ResourceExistsException'));
    await expect(
      store.putValue('orders', { token: 't1', secretString: Sensitive.of('{}'), stages: ['AWSPENDING'] }),
    ).rejects.toBeInstanceOf(VersionExistsError);
  });

  it('moves and removes stages', async () => {
    sm.on(UpdateSecretVersionStageCommand).resolves({});
    await store.updateVersionStage('orders', {
      stage: 'AWSCURRENT',
      moveToVersionId: 'v2',
      removeFromVersionId: 'v1',
    });
    await store.updateVersionStage('orders', { stage: 'AWSPENDING', removeFromVersionId: 'v2' });
    expect(sm.commandCalls(UpdateSecretVersionStageCommand)[0]!.args[0].input).toEqual({
      SecretId: 'orders',
      VersionStage: 'AWSCURRENT',
      MoveToVersionId: 'v2',
      RemoveFromVersionId: 'v1',
    });
    expect(sm.commandCalls(UpdateSecretVersionStageCommand)[1]!.args[0].input).toEqual({
      SecretId: 'orders',
      VersionStage: 'AWSPENDING',
      RemoveFromVersionId: 'v2',
    });
  });

  it('asks GetRandomPassword with the policy', async () => {
    sm.on(GetRandomPasswordCommand).resolves({ RandomPassword: 'generated-in-test' });
    const password = await store.getRandomPassword(randomPasswordRequest(resolvePasswordPolicy()));
    expect(password.reveal()).toBe('generated-in-test');
    expect(sm).toHaveReceivedCommandWith(GetRandomPasswordCommand, {
      PasswordLength: 32,
      IncludeSpace: false,
      RequireEachIncludedType: true,
      ExcludeCharacters: expect.stringContaining('@'),
    });
  });

  it.each([
    ['ThrottlingException', {}],
    ['InternalServiceError', { $fault: 'server', $metadata: { httpStatusCode: 500 } }],
    ['TimeoutError', {}],
  ])('turns %s into a retryable SecretStoreUnavailableError', async (name, extra) => {
    sm.on(DescribeSecretCommand).rejects(awsError(name, extra));
    const error = await store.describe('orders').catch((e) => e);
    expect(error).toBeInstanceOf(SecretStoreUnavailableError);
    expect(error.retryable).toBe(true);
    expect(error.message).toContain('DescribeSecret');
    expect(error.message).toContain(name);
  });

  it('turns a refusal into a SecretStoreRequestError naming the code, not the service message', async () => {
    sm.on(UpdateSecretVersionStageCommand).rejects(awsError('AccessDeniedException'));
    const error = await store
      .updateVersionStage('orders', { stage: 'AWSCURRENT', moveToVersionId: 'v2' })
      .catch((e) => e);
    expect(error).toBeInstanceOf(SecretStoreRequestError);
    expect(error.retryable).toBe(false);
    expect(error.message).toContain('AccessDeniedException');
    expect(error.message).not.toContain('happened');
  });

  it('names a missing secret', async () => {
    sm.on(DescribeSecretCommand).rejects(awsError('ResourceNotFoundException'));
    await expect(store.describe('nope')).rejects.toThrow(/secret-exists/);
  });
});

describe('awsErrorInfo', () => {
  it('reads the code from name or code and treats 5xx as retryable', () => {
    expect(awsErrorInfo(awsError('ValidationException'))).toMatchObject({
      code: 'ValidationException',
      retryable: false,
    });
    expect(awsErrorInfo(Object.assign(new Error('x'), { code: 'ECONNRESET' }))).toMatchObject({
      code: 'ECONNRESET',
      retryable: true,
    });
    expect(awsErrorInfo({ name: 'Weird', $metadata: { httpStatusCode: 503 } })).toMatchObject({
      code: 'Weird',
      status: 503,
      retryable: true,
    });
    expect(awsErrorInfo(awsError('ThrottlingException'))).toMatchObject({ throttled: true, retryable: true });
  });
});
