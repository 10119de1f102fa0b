import { inspect } from 'node:util';
import { randomUUID } from 'node:crypto';
import {
  abandonRotation,
  createSecret,
  finishSecret,
  rotate,
  setSecret,
  testSecret,
  ROTATION_STEPS,
  type RotationDeps,
  type StepRequest,
} from '../../../core/rotation/contract';
import {
  CredentialRejectedError,
  InvalidSecretError,
  InvalidStepError,
  RotationNotEnabledError,
  SecretStoreRequestError,
  SecretStoreUnavailableError,
  StageMismatchError,
  UnknownVersionError,
  type RotationStep,
} from '../../../core/rotation/errors';
import { AWSCURRENT, AWSPENDING, AWSPREVIOUS, ROTOR_ABANDONED } from '../../../core/rotation/ports';
import { MemorySecretStore } from './support/memory-secret-store';
import { CapturingLog, TokenService, tokenRotator } from './support/token-rotator';

const steps = { createSecret, setSecret, testSecret, finishSecret } as const;

function setup(options: { rotationEnabled?: boolean } = {}) {
  const store = new MemorySecretStore();
  const service = new TokenService();
  const log = new CapturingLog();
  const initialToken = `tok-${randomUUID()}`;
  service.accepted.set('svc', initialToken);
  const arn = store.create('orders-api', JSON.stringify({ user: 'svc', token: initialToken }), options);
  const deps: RotationDeps = { store, rotatorFor: () => tokenRotator(service), log };
  const currentVersion = store.versionWith(arn, AWSCURRENT)!;
  return { store, service, log, arn, deps, initialToken, currentVersion };
}

async function runAll(request: StepRequest, deps: RotationDeps) {
  const outcomes: string[] = [];
  for (const step of ROTATION_STEPS) outcomes.push((await steps[step](request, deps)).outcome);
  return outcomes;
}

function pendingToken(store: MemorySecretStore, arn: string): string {
  return JSON.parse(store.valueAt(arn, AWSPENDING)!).token;
}

describe('rotate (the four steps in order)', () => {
  it('moves AWSCURRENT to the new version, AWSPREVIOUS to the old one and drops AWSPENDING', async () => {
    const { store, service, arn, deps, currentVersion, initialToken } = setup();
    const token = store.startRotation(arn);
    const outcomes = await runAll({ secretId: arn, token }, deps);
    expect(outcomes).toEqual(['created', 'applied', 'verified', 'finished']);
    expect(store.stages(arn)).toEqual({ [token]: [AWSCURRENT], [currentVersion]: [AWSPREVIOUS] });
    const newToken = JSON.parse(store.valueAt(arn, AWSCURRENT)!).token;
    expect(newToken).not.toBe(initialToken);
    expect(service.accepted.get('svc')).toBe(newToken);
  });

  it('dispatches on the Step of the event', async () => {
    const { store, arn, deps } = setup();
    const token = store.startRotation(arn);
    for (const Step of ROTATION_STEPS) {
      const result = await rotate({ SecretId: arn, ClientRequestToken: token, Step }, deps);
      expect(result).toMatchObject({ step: Step, secretId: arn, versionId: token });
    }
    expect(store.versionWith(arn, AWSCURRENT)).toBe(token);
  });

  it('rejects an unknown step, naming the secret and the version', async () => {
    const { store, arn, deps } = setup();
    const token = store.startRotation(arn);
    const error = await rotate(
      { SecretId: arn, ClientRequestToken: token, Step: 'deleteSecret' },
      deps,
    ).catch((e) => e);
    expect(error).toBeInstanceOf(InvalidStepError);
    expect(error.message).toContain(arn);
    expect(error.message).toContain(token);
  });

  it('rotates twice in a row, AWSPREVIOUS following each time', async () => {
    const { store, arn, deps } = setup();
    const first = store.startRotation(arn);
    await runAll({ secretId: arn, token: first }, deps);
    const second = store.startRotation(arn);
    await runAll({ secretId: arn, token: second }, deps);
    expect(store.versionWith(arn, AWSCURRENT)).toBe(second);
    expect(store.versionWith(arn, AWSPREVIOUS)).toBe(first);
    expect(store.versionWith(arn, AWSPENDING)).toBeUndefined();
  });
});

describe('the checks before every step', () => {
  it.each(ROTATION_STEPS)('%s refuses a secret whose rotation is disabled', async (step) => {
    const { store, arn, deps } = setup({ rotationEnabled: false });
    const token = store.startRotation(arn);
    const error = await steps[step]({ secretId: arn, token }, deps).catch((e) => e);
    expect(error).toBeInstanceOf(RotationNotEnabledError);
    expect(error.message).toContain(step);
    expect(error.message).toContain('rotation-enabled');
  });

  it('accepts a secret whose description does not say whether rotation is enabled', async () => {
    const { store, arn, deps } = setup();
    store.setRotationEnabled(arn, undefined);
    const token = store.startRotation(arn);
    expect((await createSecret({ secretId: arn, token }, deps)).outcome).toBe('created');
  });

  it('lets the workflow rotate a secret without Secrets Manager rotation when told to', async () => {
    const { store, arn, deps } = setup({ rotationEnabled: false });
    const token = store.startRotation(arn);
    const result = await createSecret({ secretId: arn, token }, deps, { requireRotationEnabled: false });
    expect(result.outcome).toBe('created');
  });

  it.each(ROTATION_STEPS)('%s refuses a token that is not a version of the secret', async (step) => {
    const { arn, deps } = setup();
    const error = await steps[step]({ secretId: arn, token: randomUUID() }, deps).catch((e) => e);
    expect(error).toBeInstanceOf(UnknownVersionError);
    expect(error.message).toContain('version-exists');
  });

  it('creates the version for a new token when the caller mints its own (the workflow)', async () => {
    const { store, arn, deps } = setup();
    const token = randomUUID();
    const result = await createSecret({ secretId: arn, token }, deps, { acceptNewToken: true });
    expect(result.outcome).toBe('created');
    expect(store.versionWith(arn, AWSPENDING)).toBe(token);
  });

  it.each(ROTATION_STEPS)('%s does nothing when the token is already AWSCURRENT', async (step) => {
    const { store, arn, deps, currentVersion } = setup();
    const before = store.stages(arn);
    const callsBefore = store.calls.length;
    const result = await steps[step]({ secretId: arn, token: currentVersion }, deps);
    expect(result.outcome).toBe('already-current');
    expect(store.stages(arn)).toEqual(before);
    const writes = store.calls
      .slice(callsBefore)
      .filter((c) => c.operation === 'putValue' || c.operation === 'updateVersionStage');
    expect(writes).toEqual([]);
  });

  it.each(ROTATION_STEPS)('%s refuses a version that is neither AWSPENDING nor AWSCURRENT', async (step) => {
    const { store, arn, deps, currentVersion } = setup();
    await runAll({ secretId: arn, token: store.startRotation(arn) }, deps);
    // The first version is now AWSPREVIOUS only.
    const error = await steps[step]({ secretId: arn, token: currentVersion }, deps).catch((e) => e);
    expect(error).toBeInstanceOf(StageMismatchError);
    expect(error.message).toContain('version-pending');
  });
});

describe('createSecret', () => {
  it('keeps the value of a pending version that already has one (a retry)', async () => {
    const { store, arn, deps } = setup();
    const token = store.startRotation(arn);
    await createSecret({ secretId: arn, token }, deps);
    const first = pendingToken(store, arn);
    const again = await createSecret({ secretId: arn, token }, deps);
    expect(again.outcome).toBe('already-created');
    expect(pendingToken(store, arn)).toBe(first);
    expect(store.calls.filter((c) => c.operation === 'putValue')).toHaveLength(1);
  });

  it('settles two concurrent invocations on one pending value', async () => {
    const { store, arn, deps } = setup();
    const token = store.startRotation(arn);
    const results = await Promise.all([
      createSecret({ secretId: arn, token }, deps),
      createSecret({ secretId: arn, token }, deps),
    ]);
    expect(results.map((r) => r.outcome).sort()).toEqual(['already-created', 'created']);
    expect(store.versionWith(arn, AWSPENDING)).toBe(token);
  });

  it('takes AWSPENDING from a version left by an earlier failed run with another token', async () => {
    const { store, service, arn, deps, currentVersion } = setup();
    const abandoned = store.startRotation(arn);
    await createSecret({ secretId: arn, token: abandoned }, deps);
    const token = store.startRotation(arn, randomUUID(), { force: true });
    expect(await runAll({ secretId: arn, token }, deps)).toEqual([
      'created',
      'applied',
      'verified',
      'finished',
    ]);
    expect(store.stages(arn)).toEqual({
      [token]: [AWSCURRENT],
      [currentVersion]: [AWSPREVIOUS],
      [abandoned]: [],
    });
    expect(service.accepted.get('svc')).toBe(JSON.parse(store.valueAt(arn, AWSCURRENT)!).token);
  });

  it('refuses a current version that does not parse, naming the fields and not the value', async () => {
    const { store, arn, deps, currentVersion } = setup();
    const hidden = `hidden-${randomUUID()}`;
    store.overwrite(arn, currentVersion, JSON.stringify({ token: hidden }));
    const token = store.startRotation(arn);
    const error = await createSecret({ secretId: arn, token }, deps).catch((e) => e);
    expect(error).toBeInstanceOf(InvalidSecretError);
    expect(error.message).toContain('user');
    expect(inspect(error, { depth: 5 })).not.toContain(hidden);
  });

  it('uses the password policy for new values', async () => {
    const { store, arn, deps } = setup();
    const token = store.startRotation(arn);
    await createSecret(
      { secretId: arn, token },
      { ...deps, passwordPolicy: { length: 48, excludePunctuation: true } },
    );
    expect(pendingToken(store, arn)).toMatch(/^[A-Za-z0-9]{48}$/);
  });
});

describe('setSecret', () => {
  it('does not apply again when the service already accepts the pending value', async () => {
    const { store, service, arn, deps } = setup();
    const token = store.startRotation(arn);
    await createSecret({ secretId: arn, token }, deps);
    await setSecret({ secretId: arn, token }, deps);
    const again = await setSecret({ secretId: arn, token }, deps);
    expect(again.outcome).toBe('already-applied');
    expect(service.applyCalls).toBe(1);
  });

  it('keeps AWSCURRENT where it was when apply fails', async () => {
    const { store, service, arn, deps, currentVersion, initialToken } = setup();
    const token = store.startRotation(arn);
    await createSecret({ secretId: arn, token }, deps);
    service.failApply = new CredentialRejectedError('refused', { secretId: arn, check: 'test' });
    await expect(setSecret({ secretId: arn, token }, deps)).rejects.toBeInstanceOf(CredentialRejectedError);
    expect(store.versionWith(arn, AWSCURRENT)).toBe(currentVersion);
    expect(service.accepted.get('svc')).toBe(initialToken);
    expect((await setSecret({ secretId: arn, token }, deps)).outcome).toBe('applied');
  });

  it('fails clearly when createSecret has not stored a value yet', async () => {
    const { store, arn, deps } = setup();
    const token = store.startRotation(arn);
    const error = await setSecret({ secretId: arn, token }, deps).catch((e) => e);
    expect(error).toBeInstanceOf(UnknownVersionError);
    expect(error.message).toContain('pending-value');
  });

  it('ignores an AWSPREVIOUS version that does not parse', async () => {
    const { store, arn, deps, log } = setup();
    const first = store.startRotation(arn);
    await runAll({ secretId: arn, token: first }, deps);
    store.overwrite(arn, store.versionWith(arn, AWSPREVIOUS)!, 'not json');
    const token = store.startRotation(arn);
    expect(await runAll({ secretId: arn, token }, deps)).toEqual([
      'created',
      'applied',
      'verified',
      'finished',
    ]);
    expect(log.lines.some((line) => line.includes('AWSPREVIOUS'))).toBe(true);
  });
});

describe('testSecret', () => {
  it('fails with CredentialRejectedError when the service refuses the pending value', async () => {
    const { store, arn, deps } = setup();
    const token = store.startRotation(arn);
    await createSecret({ secretId: arn, token }, deps);
    const error = await testSecret({ secretId: arn, token }, deps).catch((e) => e);
    expect(error).toBeInstanceOf(CredentialRejectedError);
    expect(error.message).toContain('testSecret');
  });

  it('changes nothing and can run any number of times', async () => {
    const { store, service, arn, deps } = setup();
    const token = store.startRotation(arn);
    await createSecret({ secretId: arn, token }, deps);
    await setSecret({ secretId: arn, token }, deps);
    const before = store.stages(arn);
    for (let i = 0; i < 3; i++)
      expect((await testSecret({ secretId: arn, token }, deps)).outcome).toBe('verified');
    expect(store.stages(arn)).toEqual(before);
    expect(service.verifyCalls).toBe(3);
  });
});

describe('finishSecret', () => {
  it('moves AWSCURRENT from whichever version holds it', async () => {
    const { store, arn, deps } = setup();
    const first = store.startRotation(arn);
    await runAll({ secretId: arn, token: first }, deps);
    const token = store.startRotation(arn);
    await runAll({ secretId: arn, token }, deps);
    expect(store.versionWith(arn, AWSCURRENT)).toBe(token);
    expect(store.versionWith(arn, AWSPREVIOUS)).toBe(first);
  });

  it('removes a lingering AWSPENDING after a crash between moving AWSCURRENT and the clean-up', async () => {
    const { store, arn, deps } = setup();
    const token = store.startRotation(arn);
    await createSecret({ secretId: arn, token }, deps);
    await setSecret({ secretId: arn, token }, deps);
    await testSecret({ secretId: arn, token }, deps);
    store.inject({ operations: ['updateVersionStage'], skip: 1, times: 1, error: () => new Error('crash') });
    await expect(finishSecret({ secretId: arn, token }, deps)).rejects.toThrow('crash');
    expect(store.stages(arn)[token]).toEqual([AWSCURRENT, AWSPENDING]);
    expect((await finishSecret({ secretId: arn, token }, deps)).outcome).toBe('already-current');
    expect(store.stages(arn)[token]).toEqual([AWSCURRENT]);
  });

  it('does nothing the second time', async () => {
    const { store, arn, deps } = setup();
    const token = store.startRotation(arn);
    await runAll({ secretId: arn, token }, deps);
    const before = store.stages(arn);
    expect((await finishSecret({ secretId: arn, token }, deps)).outcome).toBe('already-current');
    expect(store.stages(arn)).toEqual(before);
  });
});

describe('giving up a rotation', () => {
  it('abandonRotation takes AWSPENDING off, keeps the version as ROTOR_ABANDONED and leaves AWSCURRENT', async () => {
    const { store, arn, deps, currentVersion } = setup();
    const token = store.startRotation(arn);
    await createSecret({ secretId: arn, token }, deps);
    expect(await abandonRotation({ secretId: arn, token }, deps)).toMatchObject({
      outcome: 'abandoned',
      restore: 'not-needed',
    });
    expect(store.stages(arn)).toEqual({ [currentVersion]: [AWSCURRENT], [token]: [ROTOR_ABANDONED] });
    expect((await abandonRotation({ secretId: arn, token }, deps)).outcome).toBe('not-pending');
  });

  it('abandonRotation after setSecret sets the service back to AWSCURRENT, so that it works again', async () => {
    const { store, service, arn, deps, initialToken } = setup();
    const token = store.startRotation(arn);
    await createSecret({ secretId: arn, token }, deps);
    await setSecret({ secretId: arn, token }, deps);
    expect(service.accepted.get('svc')).not.toBe(initialToken);
    const result = await abandonRotation({ secretId: arn, token }, deps);
    expect(result).toMatchObject({ outcome: 'abandoned', restore: 'restored' });
    expect(service.accepted.get('svc')).toBe(initialToken);
  });

  it('abandonRotation reports a restore that failed, and still gives the version up', async () => {
    const { store, service, arn, deps } = setup();
    const token = store.startRotation(arn);
    await createSecret({ secretId: arn, token }, deps);
    await setSecret({ secretId: arn, token }, deps);
    service.failApply = new SecretStoreUnavailableError('service down', { step: 'setSecret', secretId: arn });
    const result = await abandonRotation({ secretId: arn, token }, deps);
    expect(result).toMatchObject({
      outcome: 'abandoned',
      restore: 'failed',
      restoreError: 'SecretStoreUnavailableError',
    });
    expect(store.stages(arn)[token]).toEqual([ROTOR_ABANDONED]);
    // The next rotation logs in with the abandoned value and completes.
    const next = randomUUID();
    await createSecret({ secretId: arn, token: next }, deps, { acceptNewToken: true });
    for (const step of ['setSecret', 'testSecret', 'finishSecret'] as const)
      await steps[step]({ secretId: arn, token: next }, deps);
    expect(service.accepted.get('svc')).toBe(JSON.parse(store.valueAt(arn, AWSCURRENT)!).token);
  });

  it('abandonRotation of a version without a value only removes AWSPENDING', async () => {
    const { store, arn, deps } = setup();
    const token = store.startRotation(arn);
    await abandonRotation({ secretId: arn, token }, deps);
    expect(store.stages(arn)[token]).toEqual([]);
  });

  it('abandonRotation does nothing to the current version and refuses an unknown token', async () => {
    const { arn, deps, currentVersion } = setup();
    expect((await abandonRotation({ secretId: arn, token: currentVersion }, deps)).outcome).toBe(
      'already-current',
    );
    await expect(abandonRotation({ secretId: arn, token: 'nope' }, deps)).rejects.toThrow(/abandonRotation/);
  });

  it('createSecret for a new token keeps a leftover pending version as ROTOR_ABANDONED; finishSecret clears it', async () => {
    const { store, arn, deps, currentVersion } = setup();
    const leftover = store.startRotation(arn);
    await createSecret({ secretId: arn, token: leftover }, deps);
    const token = randomUUID();
    await createSecret({ secretId: arn, token }, deps, { acceptNewToken: true });
    expect(store.stages(arn)[leftover]).toEqual([ROTOR_ABANDONED]);
    for (const step of ['setSecret', 'testSecret', 'finishSecret'] as const)
      await steps[step]({ secretId: arn, token }, deps);
    expect(store.stages(arn)).toEqual({
      [token]: [AWSCURRENT],
      [currentVersion]: [AWSPREVIOUS],
      [leftover]: [],
    });
  });
});

describe('retries', () => {
  const cases: [RotationStep, number][] = ROTATION_STEPS.map((step, index) => [step, index]);

  it.each(cases)(
    'a throttled %s fails as retryable, names the step, and succeeds on retry',
    async (step, index) => {
      const { store, arn, deps } = setup();
      const token = store.startRotation(arn);
      for (const earlier of ROTATION_STEPS.slice(0, index))
        await steps[earlier]({ secretId: arn, token }, deps);
      store.throttle(1);
      const error = await steps[step]({ secretId: arn, token }, deps).catch((e) => e);
      expect(error).toBeInstanceOf(SecretStoreUnavailableError);
      expect(error.retryable).toBe(true);
      expect(error.message).toContain(step);
      await steps[step]({ secretId: arn, token }, deps);
      for (const later of ROTATION_STEPS.slice(index + 1)) await steps[later]({ secretId: arn, token }, deps);
      expect(store.versionWith(arn, AWSCURRENT)).toBe(token);
    },
  );

  it.each(cases)('%s run twice (a duplicate invocation) leaves the same end state', async (step, index) => {
    const { store, service, arn, deps } = setup();
    const token = store.startRotation(arn);
    for (const s of ROTATION_STEPS) {
      await steps[s]({ secretId: arn, token }, deps);
      if (s === step) await steps[s]({ secretId: arn, token }, deps);
    }
    expect(store.versionWith(arn, AWSCURRENT)).toBe(token);
    expect(store.versionWith(arn, AWSPENDING)).toBeUndefined();
    expect(service.accepted.get('svc')).toBe(JSON.parse(store.valueAt(arn, AWSCURRENT)!).token);
    expect(index).toBeGreaterThanOrEqual(0);
  });

  it('names the secret when it does not exist', async () => {
    const { deps } = setup();
    const error = await setSecret({ secretId: 'missing-secret', token: 't' }, deps).catch((e) => e);
    expect(error).toBeInstanceOf(SecretStoreRequestError);
    expect(error.message).toContain('setSecret of secret missing-secret');
  });
});

describe('secret values never leak', () => {
  it('keeps every token, old and new, out of logs, results and errors', async () => {
    const { store, service, arn, deps, log, initialToken } = setup();
    const seen: string[] = [];
    const token = store.startRotation(arn);
    await createSecret({ secretId: arn, token }, deps);
    seen.push(inspect(await testSecret({ secretId: arn, token }, deps).catch((e) => e), { depth: 5 }));
    service.failApply = new Error('boom');
    seen.push(inspect(await setSecret({ secretId: arn, token }, deps).catch((e) => e), { depth: 5 }));
    for (const step of ROTATION_STEPS)
      seen.push(JSON.stringify(await steps[step]({ secretId: arn, token }, deps)));
    const values = [initialToken, JSON.parse(store.valueAt(arn, AWSCURRENT)!).token];
    const text = [...seen, ...log.lines].join('\n');
    for (const value of values) expect(text).not.toContain(value);
    expect(log.lines.length).toBeGreaterThan(3);
  });
});
