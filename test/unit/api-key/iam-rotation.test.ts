import { randomBytes } from 'node:crypto';
import { mockClient } from 'aws-sdk-client-mock';
import {
  CreateAccessKeyCommand,
  DeleteAccessKeyCommand,
  IAMClient,
  ListAccessKeysCommand,
  UpdateAccessKeyCommand,
} from '@aws-sdk/client-iam';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { iamAccessKeyProvider, type KeyCredentials } from '../../../adapters/iam-access-keys';
import { revokePreviousKey } from '../../../core/rotation/api-key/revoke-previous-key';
import {
  KeyProviderRefusedError,
  KeyProviderUnavailableError,
} from '../../../core/rotation/api-key/rotation-errors';
import { apiKeyRotator } from '../../../core/rotation/api-key/rotator';
import { ROTATION_STEPS, type RotationDeps } from '../../../core/rotation/contract';
import { CredentialRejectedError, type RotationStep } from '../../../core/rotation/errors';
import { AWSCURRENT, AWSPENDING, AWSPREVIOUS } from '../../../core/rotation/ports';
import type { Rotator } from '../../../core/rotation/rotator';
import { MemorySecretStore } from '../rotation/support/memory-secret-store';
import { CapturingLog } from '../rotation/support/token-rotator';
import { steps } from './support/rotation-fixture';

// IAM and STS through aws-sdk-client-mock, with the state IAM keeps for one user: at most two access
// keys (active or inactive), keys that STS accepts only when active and propagated, scripted throttling.
const iamMock = mockClient(IAMClient);
const stsMock = mockClient(STSClient);
const USER = 'svc-orders';
const USER_ARN = `arn:aws:iam::123456789012:user/${USER}`;
const newAccessKeyId = () => ['AK', 'IA', randomBytes(8).toString('hex').toUpperCase()].join('');
const newSecret = () => randomBytes(30).toString('base64');
const awsError = (name: string, status = 400) =>
  Object.assign(new Error(`${name} details`), {
    name,
    $fault: 'client',
    $metadata: { httpStatusCode: status },
  });

interface IamKey {
  secret: string;
  status: 'Active' | 'Inactive';
  created: Date;
  /** GetCallerIdentity answers InvalidClientTokenId this many more times (propagation). */
  unpropagated: number;
}

class FakeIamUser {
  readonly keys = new Map<string, IamKey>();
  readonly calls: string[] = [];
  propagationDelay = 0;
  readonly failures = new Map<string, Error[]>();
  #minute = 0;

  add(): { id: string; secret: string } {
    const id = newAccessKeyId();
    const secret = newSecret();
    this.keys.set(id, {
      secret,
      status: 'Active',
      created: new Date(Date.UTC(2026, 0, 1, 0, this.#minute++)),
      unpropagated: this.propagationDelay,
    });
    return { id, secret };
  }

  failNext(command: string, error: Error, times = 1): void {
    this.failures.set(command, [...(this.failures.get(command) ?? []), ...Array<Error>(times).fill(error)]);
  }

  enter(command: string, keyId?: string): void {
    this.calls.push(keyId === undefined ? command : `${command} ${keyId}`);
    const queued = this.failures.get(command);
    if (queued !== undefined && queued.length > 0) throw queued.shift();
  }

  works(id: string, secret: string): boolean {
    const key = this.keys.get(id);
    return key?.status === 'Active' && key.secret === secret;
  }
}

let user: FakeIamUser;
let lastCredentials: KeyCredentials | undefined;

beforeEach(() => {
  user = new FakeIamUser();
  lastCredentials = undefined;
  iamMock.reset();
  stsMock.reset();
  iamMock.on(CreateAccessKeyCommand).callsFake((input: { UserName: string }) => {
    user.enter('CreateAccessKey');
    expect(input.UserName).toBe(USER);
    if (user.keys.size >= 2) throw awsError('LimitExceeded', 409);
    const key = user.add();
    return {
      AccessKey: { UserName: USER, AccessKeyId: key.id, SecretAccessKey: key.secret, Status: 'Active' },
    };
  });
  iamMock.on(ListAccessKeysCommand).callsFake(() => {
    user.enter('ListAccessKeys');
    return {
      AccessKeyMetadata: [...user.keys].map(([id, key]) => ({
        UserName: USER,
        AccessKeyId: id,
        Status: key.status,
        CreateDate: key.created,
      })),
    };
  });
  iamMock
    .on(UpdateAccessKeyCommand)
    .callsFake((input: { AccessKeyId: string; Status: 'Active' | 'Inactive' }) => {
      user.enter('UpdateAccessKey', input.AccessKeyId);
      const key = user.keys.get(input.AccessKeyId);
      if (key === undefined) throw awsError('NoSuchEntity', 404);
      key.status = input.Status;
      return {};
    });
  iamMock.on(DeleteAccessKeyCommand).callsFake((input: { AccessKeyId: string }) => {
    user.enter('DeleteAccessKey', input.AccessKeyId);
    if (!user.keys.delete(input.AccessKeyId)) throw awsError('NoSuchEntity', 404);
    return {};
  });
  stsMock.on(GetCallerIdentityCommand).callsFake(() => {
    const credentials = lastCredentials!;
    user.enter('GetCallerIdentity', credentials.accessKeyId);
    const key = user.keys.get(credentials.accessKeyId);
    if (key === undefined || key.status !== 'Active') throw awsError('InvalidClientTokenId', 403);
    if (key.unpropagated > 0) {
      key.unpropagated -= 1;
      throw awsError('InvalidClientTokenId', 403);
    }
    if (key.secret !== credentials.secretAccessKey) throw awsError('SignatureDoesNotMatch', 403);
    return { Arn: USER_ARN, Account: '123456789012', UserId: 'AIDATEST' };
  });
});

function setup() {
  const provider = iamAccessKeyProvider({
    iam: new IAMClient({ region: 'us-east-1' }),
    stsClientFor: (credentials) => {
      lastCredentials = credentials;
      return new STSClient({ region: 'us-east-1', credentials, maxAttempts: 1 });
    },
  });
  const rotator = apiKeyRotator({
    providers: { awsIam: provider },
    sleep: async () => undefined,
    propagation: { attempts: 6, baseDelayMs: 1000, maxDelayMs: 8000 },
  });
  const store = new MemorySecretStore();
  const initial = user.add();
  const secretId = store.create(
    'deployer-key',
    JSON.stringify({
      provider: 'aws-iam',
      userName: USER,
      accessKeyId: initial.id,
      secretAccessKey: initial.secret,
    }),
    { tags: { 'rotor:kind': 'api-key' } },
  );
  const log = new CapturingLog();
  const deps: RotationDeps = { store, rotatorFor: () => rotator as Rotator<unknown>, log };
  const run = async (token: string, names: readonly RotationStep[] = ROTATION_STEPS) => {
    for (const name of names) await steps[name]({ secretId, token }, deps);
  };
  const keyAt = (stage: string) => {
    const value = store.valueAt(secretId, stage);
    return value === undefined
      ? undefined
      : (JSON.parse(value) as { accessKeyId: string; secretAccessKey: string });
  };
  const works = (stage: string) => {
    const key = keyAt(stage);
    return key !== undefined && user.works(key.accessKeyId, key.secretAccessKey);
  };
  return { provider, store, secretId, initial, log, deps, run, keyAt, works };
}

const caught = (promise: Promise<unknown>) =>
  promise.then(
    () => undefined,
    (e: unknown) => e,
  );

describe('api-key rotation of IAM access keys', () => {
  it('rotates: the new key signs as the user, the previous key keeps working', async () => {
    const fx = setup();
    const token = fx.store.startRotation(fx.secretId);
    await fx.run(token);
    expect(fx.store.versionWith(fx.secretId, AWSCURRENT)).toBe(token);
    expect(fx.keyAt(AWSCURRENT)!.accessKeyId).not.toBe(fx.initial.id);
    expect(fx.works(AWSCURRENT)).toBe(true);
    expect(fx.works(AWSPREVIOUS)).toBe(true);
    expect(user.keys.size).toBe(2);
  });

  it('stays within two keys: the next rotation deletes the previous key and never touches the current one', async () => {
    const fx = setup();
    await fx.run(fx.store.startRotation(fx.secretId));
    const middle = fx.keyAt(AWSCURRENT)!.accessKeyId;
    user.calls.length = 0;
    await fx.run(fx.store.startRotation(fx.secretId));
    expect(user.calls).toContain(`DeleteAccessKey ${fx.initial.id}`);
    expect(
      user.calls.filter((call) => /^(Update|Delete)AccessKey /.test(call) && call.endsWith(middle)),
    ).toEqual([]);
    expect(user.keys.size).toBe(2);
    expect(fx.keyAt(AWSPREVIOUS)!.accessKeyId).toBe(middle);
    expect(fx.works(AWSPREVIOUS)).toBe(true);
    expect(fx.works(AWSCURRENT)).toBe(true);
  });

  it('waits out IAM propagation in testSecret (InvalidClientTokenId, then accepted)', async () => {
    const fx = setup();
    user.propagationDelay = 3;
    const token = fx.store.startRotation(fx.secretId);
    await fx.run(token);
    const pendingId = fx.keyAt(AWSCURRENT)!.accessKeyId;
    expect(user.calls.filter((call) => call === `GetCallerIdentity ${pendingId}`)).toHaveLength(4);
    expect(fx.log.lines.some((line) => line.includes('does not work yet'))).toBe(true);
  });

  it('fails testSecret with CredentialRejectedError when the key never propagates, and AWSCURRENT keeps working', async () => {
    const fx = setup();
    user.propagationDelay = 100;
    const token = fx.store.startRotation(fx.secretId);
    await fx.run(token, ['createSecret', 'setSecret']);
    const error = await caught(fx.run(token, ['testSecret']));
    expect(error).toBeInstanceOf(CredentialRejectedError);
    expect((error as Error).message).toMatch(/InvalidClientTokenId/);
    expect(fx.store.versionWith(fx.secretId, AWSCURRENT)).not.toBe(token);
    expect(fx.works(AWSCURRENT)).toBe(true);
  });

  it('goes on when the previous key was deleted out of band', async () => {
    const fx = setup();
    await fx.run(fx.store.startRotation(fx.secretId));
    user.keys.delete(fx.initial.id);
    const token = fx.store.startRotation(fx.secretId);
    await fx.run(token);
    expect(fx.store.versionWith(fx.secretId, AWSCURRENT)).toBe(token);
    expect(fx.works(AWSCURRENT)).toBe(true);
    expect(fx.log.lines.some((line) => line.includes('already gone'))).toBe(true);
  });

  it('stops setSecret when the pending key was deleted out of band, without touching AWSCURRENT', async () => {
    const fx = setup();
    const token = fx.store.startRotation(fx.secretId);
    await fx.run(token, ['createSecret']);
    user.keys.delete(fx.keyAt(AWSPENDING)!.accessKeyId);
    const error = await caught(fx.run(token, ['setSecret']));
    expect(error).toBeInstanceOf(KeyProviderRefusedError);
    expect(fx.works(AWSCURRENT)).toBe(true);
  });

  it('rides out throttling: each step fails retryably, then the same token completes with one new key', async () => {
    const fx = setup();
    const token = fx.store.startRotation(fx.secretId);
    const throttled = awsError('Throttling', 400);
    user.failNext('CreateAccessKey', throttled);
    const onCreate = await caught(fx.run(token, ['createSecret']));
    expect(onCreate).toBeInstanceOf(KeyProviderUnavailableError);
    expect((onCreate as KeyProviderUnavailableError).retryable).toBe(true);
    await fx.run(token, ['createSecret']);
    user.failNext('ListAccessKeys', throttled);
    expect(await caught(fx.run(token, ['setSecret']))).toBeInstanceOf(KeyProviderUnavailableError);
    await fx.run(token, ['setSecret']);
    user.failNext('GetCallerIdentity', throttled, 6);
    expect(await caught(fx.run(token, ['testSecret']))).toBeInstanceOf(KeyProviderUnavailableError);
    await fx.run(token, ['testSecret', 'finishSecret']);
    expect(user.calls.filter((call) => call === 'CreateAccessKey')).toHaveLength(2);
    expect(user.keys.size).toBe(2);
    expect(fx.works(AWSCURRENT)).toBe(true);
    expect(fx.works(AWSPREVIOUS)).toBe(true);
  });

  it('revokes the previous key in two phases after the grace period: deactivate, then delete', async () => {
    const fx = setup();
    await fx.run(fx.store.startRotation(fx.secretId));
    const deps = {
      store: fx.store,
      providers: { awsIam: fx.provider },
      clock: { now: () => new Date('2026-03-02T00:00:00Z') },
    };
    const options = {
      trigger: 'consumers-moved' as const,
      consumersMovedAt: new Date('2026-03-01T00:00:00Z'),
      gracePeriodMs: 3_600_000,
    };
    expect((await revokePreviousKey(fx.secretId, deps, options)).outcome).toBe('deactivated');
    expect(user.keys.get(fx.initial.id)!.status).toBe('Inactive');
    expect(fx.works(AWSPREVIOUS)).toBe(false);
    expect((await revokePreviousKey(fx.secretId, deps, options)).outcome).toBe('deleted');
    expect(user.keys.has(fx.initial.id)).toBe(false);
    expect(fx.works(AWSCURRENT)).toBe(true);
  });

  it('never writes a secret access key into logs or errors', async () => {
    const fx = setup();
    user.propagationDelay = 100;
    const token = fx.store.startRotation(fx.secretId);
    await fx.run(token, ['createSecret', 'setSecret']);
    const error = await caught(fx.run(token, ['testSecret']));
    const { inspect } = await import('node:util');
    const text = [...fx.log.lines, String(error), inspect(error, { depth: 8 })].join('\n');
    const secrets = [fx.initial.secret, fx.keyAt(AWSPENDING)!.secretAccessKey];
    for (const secret of secrets) expect(text).not.toContain(secret);
  });
});
