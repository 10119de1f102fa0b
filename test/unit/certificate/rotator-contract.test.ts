import { inspect } from 'node:util';
import {
  createSecret,
  finishSecret,
  setSecret,
  testSecret,
  ROTATION_STEPS,
  type RotationDeps,
} from '../../../core/rotation/contract';
import { InvalidSecretError } from '../../../core/rotation/errors';
import { AWSCURRENT, AWSPENDING } from '../../../core/rotation/ports';
import type { Rotator } from '../../../core/rotation/rotator';
import { describeRotatorContract } from '../rotation/support/rotator-contract';
import { CapturingLog } from '../rotation/support/token-rotator';
import { ACM_ARN, certificateRotationFixture } from './rotation-fixture';

// Two cases of the shared suite are written for database secrets (a `username` field, a `password` value);
// their certificate equivalents follow below. Every other case runs as written.
const DATABASE_SHAPED = new Set([
  'refuses a current version with missing fields, naming them',
  'writes no secret value, old or new, into logs or errors',
]);
describeRotatorContract(
  'certificate (KMS-backed CA, re-imported into ACM)',
  async () => {
    const fx = await certificateRotationFixture();
    return {
      rotator: fx.rotator as Rotator<unknown>,
      store: fx.store,
      secretId: fx.secretId,
      // "The service accepts" a version when ACM serves its certificate: ACM holds one at a time.
      accepts: async (value: string) => fx.acm.serials.get(ACM_ARN) === JSON.parse(value).serialNumber,
      keepsPrevious: false,
      restore: async (value: string) => {
        fx.acm.serials.set(ACM_ARN, JSON.parse(value).serialNumber);
      },
    };
  },
  { skip: [...DATABASE_SHAPED] },
);

describe('certificate rotator: the shared cases in certificate terms', () => {
  const steps = { createSecret, setSecret, testSecret, finishSecret } as const;

  it('refuses a current version with missing fields, naming them', async () => {
    const fx = await certificateRotationFixture();
    fx.store.overwrite(
      fx.secretId,
      fx.store.versionWith(fx.secretId, AWSCURRENT)!,
      JSON.stringify({ engine: 'postgres' }),
    );
    const token = fx.store.startRotation(fx.secretId);
    const error = await createSecret(
      { secretId: fx.secretId, token },
      { store: fx.store, rotatorFor: () => fx.rotator },
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidSecretError);
    expect((error as Error).message).toMatch(/fields: .*subject.*issuer/);
  });

  it('writes no private key, old or new, into logs or errors', async () => {
    const fx = await certificateRotationFixture();
    const log = new CapturingLog();
    const deps: RotationDeps = { store: fx.store, rotatorFor: () => fx.rotator, log };
    const keys = new Set<string>([JSON.parse(fx.store.valueAt(fx.secretId, AWSCURRENT)!).privateKey]);
    const token = fx.store.startRotation(fx.secretId);
    await createSecret({ secretId: fx.secretId, token }, deps);
    keys.add(JSON.parse(fx.store.valueAt(fx.secretId, AWSPENDING)!).privateKey);
    const errors = [await testSecret({ secretId: fx.secretId, token }, deps).catch((e: unknown) => e)];
    for (const step of ROTATION_STEPS.slice(1)) await steps[step]({ secretId: fx.secretId, token }, deps);
    const text = [...log.lines, ...errors.map((e) => `${String(e)}\n${inspect(e, { depth: 8 })}`)].join('\n');
    expect(errors[0]).toBeInstanceOf(Error);
    expect(keys.size).toBe(2);
    const body = (pem: string) => pem.split('\n')[1]!;
    for (const key of keys) expect(text).not.toContain(body(key));
  });
});
