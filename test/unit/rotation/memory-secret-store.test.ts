import { Sensitive } from '../../../core/sensitive';
import {
  SecretStoreRequestError,
  SecretStoreUnavailableError,
  VersionExistsError,
} from '../../../core/rotation/errors';
import { AWSCURRENT, AWSPENDING, AWSPREVIOUS } from '../../../core/rotation/ports';
import { MemorySecretStore } from './support/memory-secret-store';

// The engine's unit tests trust this store to behave like Secrets Manager; these tests pin its rules.

function withSecret() {
  const store = new MemorySecretStore();
  const arn = store.create('s', 'v1');
  return { store, arn, first: store.versionWith(arn, AWSCURRENT)! };
}

describe('MemorySecretStore (Secrets Manager staging rules)', () => {
  it('finds a secret by name or ARN and names a missing one', async () => {
    const { store, arn } = withSecret();
    expect((await store.describe('s')).arn).toBe(arn);
    expect((await store.describe(arn)).name).toBe('s');
    await expect(store.describe('nope')).rejects.toBeInstanceOf(SecretStoreRequestError);
  });

  it('creates an AWSPENDING version without a value when a rotation starts', async () => {
    const { store, arn } = withSecret();
    const token = store.startRotation(arn);
    expect((await store.describe(arn)).versionIdsToStages[token]).toEqual([AWSPENDING]);
    await expect(store.getValue(arn, { versionId: token, stage: AWSPENDING })).resolves.toBeUndefined();
  });

  it('refuses to start a rotation while another version holds AWSPENDING, unless forced', async () => {
    const { store, arn } = withSecret();
    const first = store.startRotation(arn);
    expect(() => store.startRotation(arn)).toThrow(SecretStoreRequestError);
    const second = store.startRotation(arn, 'tok-2', { force: true });
    expect(store.stages(arn)[first]).toEqual([]);
    expect(store.stages(arn)[second]).toEqual([AWSPENDING]);
  });

  it('moves AWSPREVIOUS to the version that loses AWSCURRENT', async () => {
    const { store, arn, first } = withSecret();
    await store.putValue(arn, { token: 't2', secretString: Sensitive.of('v2'), stages: [AWSPENDING] });
    await store.updateVersionStage(arn, {
      stage: AWSCURRENT,
      moveToVersionId: 't2',
      removeFromVersionId: first,
    });
    expect(store.stages(arn)).toEqual({ [first]: [AWSPREVIOUS], t2: [AWSCURRENT, AWSPENDING] });
  });

  it('makes PutSecretValue idempotent for the same value and refuses another value', async () => {
    const { store, arn } = withSecret();
    const put = { token: 't2', secretString: Sensitive.of('v2'), stages: [AWSPENDING] };
    await store.putValue(arn, put);
    await store.putValue(arn, put);
    await expect(store.putValue(arn, { ...put, secretString: Sensitive.of('other') })).rejects.toBeInstanceOf(
      VersionExistsError,
    );
  });

  it('puts a new value as AWSCURRENT when no stage is given', async () => {
    const { store, arn, first } = withSecret();
    await store.putValue(arn, { token: 't2', secretString: Sensitive.of('v2'), stages: [] });
    expect(store.versionWith(arn, AWSCURRENT)).toBe('t2');
    expect(store.versionWith(arn, AWSPREVIOUS)).toBe(first);
  });

  it('refuses to take a stage from a version that does not hold it, or to move it without saying from where', async () => {
    const { store, arn, first } = withSecret();
    await store.putValue(arn, { token: 't2', secretString: Sensitive.of('v2'), stages: [AWSPENDING] });
    await expect(
      store.updateVersionStage(arn, { stage: AWSCURRENT, moveToVersionId: 't2', removeFromVersionId: 't2' }),
    ).rejects.toThrow(/RemoveFromVersionId/);
    await expect(store.updateVersionStage(arn, { stage: AWSCURRENT, moveToVersionId: 't2' })).rejects.toThrow(
      /RemoveFromVersionId/,
    );
    await expect(
      store.updateVersionStage(arn, { stage: AWSCURRENT, removeFromVersionId: first }),
    ).rejects.toThrow(/only be moved/);
    expect(store.versionWith(arn, AWSCURRENT)).toBe(first);
  });

  it('lists only labelled versions in DescribeSecret but still serves a deprecated one by id', async () => {
    const { store, arn } = withSecret();
    await store.putValue(arn, { token: 't2', secretString: Sensitive.of('v2'), stages: [AWSPENDING] });
    await store.updateVersionStage(arn, { stage: AWSPENDING, removeFromVersionId: 't2' });
    expect((await store.describe(arn)).versionIdsToStages.t2).toBeUndefined();
    expect((await store.getValue(arn, { versionId: 't2' }))?.secretString.reveal()).toBe('v2');
  });

  it('answers nothing when the stage asked for is not on the version asked for', async () => {
    const { store, arn, first } = withSecret();
    await expect(store.getValue(arn, { versionId: first, stage: AWSPENDING })).resolves.toBeUndefined();
  });

  it('throttles as asked, then recovers', async () => {
    const { store, arn } = withSecret();
    store.throttle(2, ['describe']);
    await expect(store.describe(arn)).rejects.toBeInstanceOf(SecretStoreUnavailableError);
    await expect(store.getValue(arn, {})).resolves.toBeDefined();
    await expect(store.describe(arn)).rejects.toBeInstanceOf(SecretStoreUnavailableError);
    await expect(store.describe(arn)).resolves.toBeDefined();
  });

  it('generates passwords with one character of each included class', async () => {
    const store = new MemorySecretStore();
    const request = {
      length: 16,
      excludeCharacters: '',
      excludeNumbers: false,
      excludePunctuation: false,
      excludeUppercase: false,
      excludeLowercase: false,
      includeSpace: false,
      requireEachIncludedType: true,
    };
    for (let i = 0; i < 100; i++) {
      const password = (await store.getRandomPassword(request)).reveal();
      expect(password).toHaveLength(16);
      for (const pattern of [/[a-z]/, /[A-Z]/, /[0-9]/, /[^A-Za-z0-9]/]) expect(password).toMatch(pattern);
    }
  });
});
