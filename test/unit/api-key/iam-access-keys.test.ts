import { randomBytes } from 'node:crypto';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import {
  CreateAccessKeyCommand,
  DeleteAccessKeyCommand,
  IAMClient,
  LimitExceededException,
  ListAccessKeysCommand,
  NoSuchEntityException,
  UpdateAccessKeyCommand,
} from '@aws-sdk/client-iam';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { iamAccessKeyProvider } from '../../../adapters/iam-access-keys';
import type { KeyCredentials } from '../../../adapters/iam-access-keys';
import {
  KeyLimitError,
  KeyNotFoundError,
  KeyRejectedError,
  ProviderUnavailableError,
} from '../../../core/rotation/api-key/errors';
import { prepareNewKey } from '../../../core/rotation/api-key/prepare';
import { revokePrevious } from '../../../core/rotation/api-key/revoke';
import { verifyNewKey } from '../../../core/rotation/api-key/verify';
import { Sensitive } from '../../../core/sensitive';

const iamMock = mockClient(IAMClient);
const stsMock = mockClient(STSClient);
const settings = { userName: 'svc-orders' };
const userArn = 'arn:aws:iam::123456789012:user/svc-orders';
// Credential-shaped values are generated here, never written out.
const newAccessKeyId = () => ['AK', 'IA', randomBytes(8).toString('hex').toUpperCase()].join('');
const newSecret = () => randomBytes(30).toString('base64');
const awsError = (name: string, status = 400) =>
  Object.assign(new Error(`${name} details`), {
    name,
    $fault: 'client',
    $metadata: { httpStatusCode: status },
  });
const noWait = { sleep: async () => undefined, policy: { attempts: 6, baseDelayMs: 1000, maxDelayMs: 8000 } };

let stsCredentials: KeyCredentials[];
function provider() {
  return iamAccessKeyProvider({
    iam: new IAMClient({ region: 'us-east-1' }),
    stsClientFor: (credentials) => {
      stsCredentials.push(credentials);
      return new STSClient({ region: 'eu-west-1', credentials, maxAttempts: 1 });
    },
  });
}
function listed(...keys: { id: string; status: 'Active' | 'Inactive'; minute: number }[]) {
  return {
    AccessKeyMetadata: keys.map((k) => ({
      UserName: settings.userName,
      AccessKeyId: k.id,
      Status: k.status,
      CreateDate: new Date(Date.UTC(2026, 0, 1, 0, k.minute)),
    })),
  };
}

beforeEach(() => {
  iamMock.reset();
  stsMock.reset();
  stsCredentials = [];
});

describe('iamAccessKeyProvider', () => {
  it('creates an access key and hands its secret over as Sensitive', async () => {
    const id = newAccessKeyId();
    const secret = newSecret();
    iamMock.on(CreateAccessKeyCommand, { UserName: 'svc-orders' }).resolves({
      AccessKey: { UserName: 'svc-orders', AccessKeyId: id, SecretAccessKey: secret, Status: 'Active' },
    });
    const key = await provider().createKey(settings);
    expect(key.keyId).toBe(id);
    expect(key.secret).toBeInstanceOf(Sensitive);
    expect(key.secret.reveal()).toBe(secret);
    expect(JSON.stringify(key)).not.toContain(secret);
  });

  it('turns LimitExceededException into KeyLimitError', async () => {
    iamMock.on(CreateAccessKeyCommand).rejects(
      new LimitExceededException({
        message: 'Cannot exceed quota for AccessKeysPerUser: 2',
        $metadata: {},
      }),
    );
    await expect(provider().createKey(settings)).rejects.toBeInstanceOf(KeyLimitError);
  });

  it('at the two-key limit, deletes the older non-current key before creating, never the current', async () => {
    const current = newAccessKeyId();
    const previous = newAccessKeyId();
    iamMock
      .on(ListAccessKeysCommand)
      .resolves(
        listed({ id: previous, status: 'Inactive', minute: 1 }, { id: current, status: 'Active', minute: 2 }),
      );
    iamMock.on(DeleteAccessKeyCommand).resolves({});
    iamMock.on(CreateAccessKeyCommand).resolves({
      AccessKey: {
        AccessKeyId: newAccessKeyId(),
        SecretAccessKey: newSecret(),
        UserName: 'svc-orders',
        Status: 'Active',
      },
    });
    const prepared = await prepareNewKey({ provider: provider(), settings, currentKeyId: current });
    expect(prepared.retiredKeyIds).toEqual([previous]);
    expect(iamMock).toHaveReceivedCommandWith(DeleteAccessKeyCommand, {
      UserName: 'svc-orders',
      AccessKeyId: previous,
    });
    expect(iamMock).not.toHaveReceivedCommandWith(DeleteAccessKeyCommand, { AccessKeyId: current });
    expect(iamMock).not.toHaveReceivedCommand(UpdateAccessKeyCommand);
  });

  it('reuses the pending key of an earlier failed run when it is the only other key', async () => {
    const current = newAccessKeyId();
    const pending = { keyId: newAccessKeyId(), secret: Sensitive.of(newSecret()) };
    iamMock
      .on(ListAccessKeysCommand)
      .resolves(
        listed(
          { id: current, status: 'Active', minute: 1 },
          { id: pending.keyId, status: 'Active', minute: 2 },
        ),
      );
    const prepared = await prepareNewKey({ provider: provider(), settings, currentKeyId: current, pending });
    expect(prepared.outcome).toBe('reused');
    expect(iamMock).not.toHaveReceivedCommand(CreateAccessKeyCommand);
    expect(iamMock).not.toHaveReceivedCommand(DeleteAccessKeyCommand);
  });

  it('lists every page of ListAccessKeys', async () => {
    const [a, b] = [newAccessKeyId(), newAccessKeyId()];
    iamMock
      .on(ListAccessKeysCommand, { Marker: undefined })
      .resolves({ ...listed({ id: a, status: 'Active', minute: 1 }), IsTruncated: true, Marker: 'm1' })
      .on(ListAccessKeysCommand, { Marker: 'm1' })
      .resolves({ ...listed({ id: b, status: 'Inactive', minute: 2 }), IsTruncated: false });
    await expect(provider().listKeys(settings)).resolves.toEqual([
      { keyId: a, status: 'active', createdAt: new Date(Date.UTC(2026, 0, 1, 0, 1)) },
      { keyId: b, status: 'inactive', createdAt: new Date(Date.UTC(2026, 0, 1, 0, 2)) },
    ]);
  });

  it('tests a key with GetCallerIdentity signed by that key, waiting out propagation', async () => {
    const key = { keyId: newAccessKeyId(), secret: Sensitive.of(newSecret()) };
    stsMock
      .on(GetCallerIdentityCommand)
      .rejectsOnce(awsError('InvalidClientTokenId', 403))
      .rejectsOnce(awsError('SignatureDoesNotMatch', 403))
      .resolves({ Arn: userArn, Account: '123456789012', UserId: 'AIDAEXAMPLE' });
    const waits: number[] = [];
    const result = await verifyNewKey({
      provider: provider(),
      settings,
      key,
      ...noWait,
      sleep: async (ms) => void waits.push(ms),
      random: () => 0,
    });
    expect(result).toEqual({ attempts: 3 });
    expect(waits).toEqual([500, 1000]);
    expect(stsCredentials).toEqual([
      { accessKeyId: key.keyId, secretAccessKey: key.secret.reveal() },
      { accessKeyId: key.keyId, secretAccessKey: key.secret.reveal() },
      { accessKeyId: key.keyId, secretAccessKey: key.secret.reveal() },
    ]);
  });

  it('gives up with KeyRejectedError when the key never propagates', async () => {
    stsMock.on(GetCallerIdentityCommand).rejects(awsError('InvalidClientTokenId', 403));
    const key = { keyId: newAccessKeyId(), secret: Sensitive.of(newSecret()) };
    const error = await verifyNewKey({ provider: provider(), settings, key, ...noWait }).catch((e) => e);
    expect(error).toBeInstanceOf(KeyRejectedError);
    expect(error.message).toContain('InvalidClientTokenId');
    expect(stsMock).toHaveReceivedCommandTimes(GetCallerIdentityCommand, 6);
  });

  it.each([
    'arn:aws:iam::123456789012:user/someone-else',
    'arn:aws:sts::123456789012:assumed-role/svc-orders/svc-orders',
    'arn:aws:iam::123456789012:role/svc-orders',
  ])('rejects a key that signs as another identity (%s)', async (arn) => {
    stsMock.on(GetCallerIdentityCommand).resolves({ Arn: arn });
    const key = { keyId: newAccessKeyId(), secret: Sensitive.of(newSecret()) };
    await expect(provider().testKey(key, settings)).resolves.toEqual({
      ok: false,
      reason: 'identity-mismatch',
    });
  });

  it('accepts the user under an IAM path and in another partition', async () => {
    const key = { keyId: newAccessKeyId(), secret: Sensitive.of(newSecret()) };
    stsMock
      .on(GetCallerIdentityCommand)
      .resolves({ Arn: 'arn:aws-cn:iam::123456789012:user/services/svc-orders' });
    await expect(provider().testKey(key, settings)).resolves.toEqual({ ok: true });
  });

  it('builds a real STS client with the new credentials by default', async () => {
    stsMock.on(GetCallerIdentityCommand).resolves({ Arn: userArn });
    const key = { keyId: newAccessKeyId(), secret: Sensitive.of(newSecret()) };
    const plain = iamAccessKeyProvider({ iam: new IAMClient({ region: 'us-east-1' }), region: 'eu-west-1' });
    await expect(plain.testKey(key, settings)).resolves.toEqual({ ok: true });
    const client = stsMock.call(0).thisValue as STSClient;
    const credentials = await (client.config.credentials as () => Promise<{ accessKeyId: string }>)();
    expect(credentials.accessKeyId).toBe(key.keyId);
  });

  it.each(['Throttling', 'ThrottlingException'])(
    'makes %s a retryable ProviderUnavailableError',
    async (code) => {
      iamMock.on(ListAccessKeysCommand).rejects(awsError(code));
      iamMock.on(CreateAccessKeyCommand).rejects(awsError(code));
      const list = await provider()
        .listKeys(settings)
        .catch((e) => e);
      expect(list).toBeInstanceOf(ProviderUnavailableError);
      expect(list.retryable).toBe(true);
      expect(list.message).toContain(code);
      await expect(provider().createKey(settings)).rejects.toBeInstanceOf(ProviderUnavailableError);
    },
  );

  it('retries a throttled key test within the propagation budget', async () => {
    stsMock.on(GetCallerIdentityCommand).rejectsOnce(awsError('Throttling')).resolves({ Arn: userArn });
    const key = { keyId: newAccessKeyId(), secret: Sensitive.of(newSecret()) };
    await expect(verifyNewKey({ provider: provider(), settings, key, ...noWait })).resolves.toEqual({
      attempts: 2,
    });
  });

  it('revokes in two phases: UpdateAccessKey Inactive, then DeleteAccessKey', async () => {
    const [previous, current] = [newAccessKeyId(), newAccessKeyId()];
    const input = {
      provider: provider(),
      settings,
      previousKeyId: previous,
      currentKeyId: current,
      trigger: 'consumers-moved' as const,
      consumersMovedAt: new Date('2026-03-01T10:00:00Z'),
      gracePeriodMs: 0,
      clock: { now: () => new Date('2026-03-01T10:00:00Z') },
    };
    iamMock
      .on(ListAccessKeysCommand)
      .resolvesOnce(
        listed({ id: previous, status: 'Active', minute: 1 }, { id: current, status: 'Active', minute: 2 }),
      )
      .resolves(
        listed({ id: previous, status: 'Inactive', minute: 1 }, { id: current, status: 'Active', minute: 2 }),
      );
    await expect(revokePrevious(input)).resolves.toEqual({ outcome: 'deactivated' });
    expect(iamMock).toHaveReceivedCommandWith(UpdateAccessKeyCommand, {
      UserName: 'svc-orders',
      AccessKeyId: previous,
      Status: 'Inactive',
    });
    await expect(revokePrevious(input)).resolves.toEqual({ outcome: 'deleted' });
    expect(iamMock).toHaveReceivedCommandWith(DeleteAccessKeyCommand, {
      UserName: 'svc-orders',
      AccessKeyId: previous,
    });
  });

  it('treats a key deleted out of band as already gone', async () => {
    const [previous, current] = [newAccessKeyId(), newAccessKeyId()];
    iamMock
      .on(DeleteAccessKeyCommand)
      .rejects(
        new NoSuchEntityException({ message: 'The Access Key with id ... cannot be found', $metadata: {} }),
      );
    iamMock
      .on(UpdateAccessKeyCommand)
      .rejects(new NoSuchEntityException({ message: 'not found', $metadata: {} }));
    await expect(provider().deleteKey!(previous, settings)).rejects.toBeInstanceOf(KeyNotFoundError);
    const base = {
      provider: provider(),
      settings,
      previousKeyId: previous,
      currentKeyId: current,
      gracePeriodMs: 0,
      consumersMovedAt: new Date(0),
      clock: { now: () => new Date() },
    };
    await expect(revokePrevious({ ...base, trigger: 'next-rotation' })).resolves.toEqual({
      outcome: 'already-gone',
    });
    // Listed a moment ago, gone when deactivated.
    iamMock.on(ListAccessKeysCommand).resolves(listed({ id: previous, status: 'Active', minute: 1 }));
    await expect(revokePrevious({ ...base, trigger: 'consumers-moved' })).resolves.toEqual({
      outcome: 'already-gone',
    });
    // Not listed at all.
    iamMock.on(ListAccessKeysCommand).resolves(listed({ id: current, status: 'Active', minute: 2 }));
    await expect(revokePrevious({ ...base, trigger: 'consumers-moved' })).resolves.toEqual({
      outcome: 'already-gone',
    });
  });
});
