import { inspect } from 'node:util';
import {
  createSecret,
  finishSecret,
  setSecret,
  testSecret,
  ROTATION_STEPS,
  type RotationDeps,
} from '../../../../core/rotation/contract';
import {
  CredentialRejectedError,
  DatabaseUnreachableError,
  InvalidSecretError,
  RetryableRotationError,
  RotationError,
} from '../../../../core/rotation/errors';
import { AWSCURRENT, AWSPENDING, AWSPREVIOUS } from '../../../../core/rotation/ports';
import type { Rotator } from '../../../../core/rotation/rotator';
import type { MemorySecretStore } from './memory-secret-store';
import { CapturingLog } from './token-rotator';

/** What the shared rotator suite needs from a kind of secret and its service. */
export interface RotatorHarness {
  readonly rotator: Rotator<unknown>;
  /** The store holding the secret under test (and any secret it refers to, such as `masterarn`). */
  readonly store: MemorySecretStore;
  readonly secretId: string;
  /** Whether the service accepts the credentials of a stored value. */
  accepts(secretString: string): Promise<boolean>;
  /** Whether credentials of AWSPREVIOUS still work after a rotation (alternating users: yes). */
  readonly keepsPrevious: boolean;
  /** Takes the service down (`false`) or brings it back, where the harness can. */
  setReachable?(up: boolean): Promise<void>;
  /** Sets the user's password in the service to a value no version holds. */
  drift?(): Promise<void>;
  /** Sets the user's password in the service back to a stored value. */
  restore?(secretString: string): Promise<void>;
  close?(): Promise<void>;
}

const stepFns = { createSecret, setSecret, testSecret, finishSecret } as const;

/**
 * The behaviour every rotator must show under the engine, whatever it rotates. Run it with a factory that
 * builds a fresh harness (a fresh secret and user) for each test.
 */
export function describeRotatorContract(
  name: string,
  makeHarness: () => Promise<RotatorHarness>,
  options: {
    /**
     * Cases that assume a database (a `username` field, a `password` value, a credential that works only
     * after setSecret); a kind that is not a database skips them by title and tests its own equivalent.
     */
    readonly skip?: readonly string[];
  } = {},
): void {
  const it = (title: string, fn: jest.ProvidesCallback, timeout?: number) =>
    options.skip?.includes(title) ? global.it.skip(title, fn) : global.it(title, fn, timeout);
  describe(`rotator contract: ${name}`, () => {
    let h: RotatorHarness;
    let log: CapturingLog;
    let deps: RotationDeps;
    const errors: unknown[] = [];

    beforeEach(async () => {
      h = await makeHarness();
      log = new CapturingLog();
      deps = { store: h.store, rotatorFor: () => h.rotator, log };
    });

    afterEach(async () => {
      await h.close?.();
    });

    const current = () => h.store.valueAt(h.secretId, AWSCURRENT)!;
    const run = async (token: string, steps = ROTATION_STEPS) => {
      for (const step of steps) await stepFns[step]({ secretId: h.secretId, token }, deps);
    };
    const failing = async (promise: Promise<unknown>) => {
      const error = await promise.then(
        () => undefined,
        (e: unknown) => e,
      );
      errors.push(error);
      return error;
    };

    it('rotates: the new credentials log in, AWSCURRENT is new and AWSPREVIOUS old', async () => {
      const before = current();
      const oldVersion = h.store.versionWith(h.secretId, AWSCURRENT);
      const token = h.store.startRotation(h.secretId);
      await run(token);
      expect(h.store.versionWith(h.secretId, AWSCURRENT)).toBe(token);
      expect(h.store.versionWith(h.secretId, AWSPREVIOUS)).toBe(oldVersion);
      expect(h.store.versionWith(h.secretId, AWSPENDING)).toBeUndefined();
      expect(await h.accepts(current())).toBe(true);
      expect(await h.accepts(before)).toBe(h.keepsPrevious);
    });

    it('rotates twice in a row', async () => {
      const first = h.store.startRotation(h.secretId);
      await run(first);
      const middle = current();
      const second = h.store.startRotation(h.secretId);
      await run(second);
      expect(h.store.versionWith(h.secretId, AWSCURRENT)).toBe(second);
      expect(await h.accepts(current())).toBe(true);
      expect(await h.accepts(middle)).toBe(h.keepsPrevious);
    });

    it('reaches the same end state when every step runs twice', async () => {
      const token = h.store.startRotation(h.secretId);
      for (const step of ROTATION_STEPS) {
        await stepFns[step]({ secretId: h.secretId, token }, deps);
        await stepFns[step]({ secretId: h.secretId, token }, deps);
      }
      expect(h.store.versionWith(h.secretId, AWSCURRENT)).toBe(token);
      expect(await h.accepts(current())).toBe(true);
    });

    it('refuses the pending credentials in testSecret before setSecret, and AWSCURRENT keeps working', async () => {
      const token = h.store.startRotation(h.secretId);
      await run(token, ['createSecret']);
      const error = await failing(testSecret({ secretId: h.secretId, token }, deps));
      expect(error).toBeInstanceOf(CredentialRejectedError);
      expect(await h.accepts(current())).toBe(true);
      await run(token, ['setSecret', 'testSecret', 'finishSecret']);
      expect(await h.accepts(current())).toBe(true);
    });

    it('refuses a current version with missing fields, naming them', async () => {
      h.store.overwrite(
        h.secretId,
        h.store.versionWith(h.secretId, AWSCURRENT)!,
        JSON.stringify({ engine: 'postgres' }),
      );
      const token = h.store.startRotation(h.secretId);
      const error = await failing(createSecret({ secretId: h.secretId, token }, deps));
      expect(error).toBeInstanceOf(InvalidSecretError);
      expect((error as Error).message).toMatch(/fields: .*username/);
    });

    it('fails retryably while the service is unreachable in setSecret and testSecret, then completes', async () => {
      if (h.setReachable === undefined) return;
      const token = h.store.startRotation(h.secretId);
      await run(token, ['createSecret']);
      await h.setReachable(false);
      const duringSet = await failing(setSecret({ secretId: h.secretId, token }, deps));
      expect(duringSet).toBeInstanceOf(DatabaseUnreachableError);
      expect((duringSet as RetryableRotationError).retryable).toBe(true);
      await h.setReachable(true);
      expect(await h.accepts(current())).toBe(true);
      await run(token, ['setSecret']);
      await h.setReachable(false);
      const duringTest = await failing(testSecret({ secretId: h.secretId, token }, deps));
      expect(duringTest).toBeInstanceOf(DatabaseUnreachableError);
      await h.setReachable(true);
      await run(token, ['testSecret', 'finishSecret']);
      expect(await h.accepts(current())).toBe(true);
    });

    it('stops on a password changed outside of rotation, then completes once it is restored', async () => {
      if (h.drift === undefined || h.restore === undefined) return;
      const stored = current();
      await h.drift();
      const token = h.store.startRotation(h.secretId);
      await run(token, ['createSecret']);
      const error = await failing(setSecret({ secretId: h.secretId, token }, deps));
      expect(error).toBeInstanceOf(RotationError);
      expect((error as RotationError).retryable).toBe(false);
      expect(h.store.versionWith(h.secretId, AWSCURRENT)).not.toBe(token);
      await h.restore(stored);
      await run(token, ['setSecret', 'testSecret', 'finishSecret']);
      expect(await h.accepts(current())).toBe(true);
    });

    it('recovers when the database still has the AWSPREVIOUS password (a rollback)', async () => {
      if (h.restore === undefined) return;
      await run(h.store.startRotation(h.secretId));
      await h.restore(h.store.valueAt(h.secretId, AWSPREVIOUS)!);
      const token = h.store.startRotation(h.secretId);
      await run(token);
      expect(h.store.versionWith(h.secretId, AWSCURRENT)).toBe(token);
      expect(await h.accepts(current())).toBe(true);
    });

    it('writes no secret value, old or new, into logs or errors', async () => {
      const values = new Set<string>();
      const remember = () => {
        const value = h.store.valueAt(h.secretId, AWSCURRENT);
        if (value !== undefined) values.add(JSON.parse(value).password);
      };
      remember();
      const token = h.store.startRotation(h.secretId);
      await run(token, ['createSecret']);
      values.add(JSON.parse(h.store.valueAt(h.secretId, AWSPENDING)!).password);
      await failing(testSecret({ secretId: h.secretId, token }, deps));
      await run(token, ['setSecret', 'testSecret', 'finishSecret']);
      remember();
      const text = [...log.lines, ...errors.map((e) => `${String(e)}\n${inspect(e, { depth: 8 })}`)].join(
        '\n',
      );
      expect(values.size).toBeGreaterThanOrEqual(2);
      for (const value of values) expect(text).not.toContain(value);
    });
  });
}
