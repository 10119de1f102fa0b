import { createDetector } from '../../../../core/scanning/detect';
import { deriveScanKeys } from '../../../../core/scanning/managed/keys';
import { recordsOf } from '../../../../core/scanning/managed/ports';
import {
  recipeOf,
  updateFingerprints,
  type UpdateFingerprintsDeps,
} from '../../../../core/scanning/managed/update';
import { Sensitive } from '../../../../core/sensitive';
import { MemorySecretStore } from '../../rotation/support/memory-secret-store';
import { ALNUM, iamSecretKey, keySecret, randomOf, rotorPassword } from './fixtures';
import { MemoryFingerprintStore } from './memory-fingerprint-store';

const clock = { now: () => new Date('2026-11-24T10:00:00.000Z') };

function setup(keyText = keySecret()) {
  const secrets = new MemorySecretStore();
  const store = new MemoryFingerprintStore();
  const keys = deriveScanKeys(keyText);
  const deps: UpdateFingerprintsDeps = { secrets, store, keys: async () => keys, clock };
  return { secrets, store, keys, deps };
}

function rotate(secrets: MemorySecretStore, name: string, value: Record<string, unknown>) {
  const token = secrets.startRotation(name);
  return secrets
    .putValue(name, { token, secretString: Sensitive.of(JSON.stringify(value)), stages: ['AWSPENDING'] })
    .then(() =>
      secrets.updateVersionStage(name, {
        stage: 'AWSCURRENT',
        moveToVersionId: token,
        removeFromVersionId: secrets.versionWith(name, 'AWSCURRENT'),
      }),
    );
}

const db = (password: string) => ({ engine: 'postgres', host: 'db', port: 5432, username: 'app', password });

describe('updateFingerprints', () => {
  it('stores a record per stage, by the secret name, that a detector built from the store recognises', async () => {
    const { secrets, store, keys, deps } = setup();
    const previous = rotorPassword();
    const current = rotorPassword();
    const arn = secrets.create('prod/orders-db', JSON.stringify(db(previous)), {
      tags: { 'rotor:kind': 'postgres' },
    });
    await rotate(secrets, 'prod/orders-db', db(current));

    const out = await updateFingerprints({ secretId: arn }, deps);
    expect(out).toEqual({ secretId: 'prod/orders-db', records: 2, skipped: [], changed: true, version: 1 });

    const { stages } = await store.readAll();
    const detector = createDetector({
      fingerprintKey: keys.findings.reveal(),
      managed: { records: recordsOf(stages, keys.keyId), key: keys.managed.reveal() },
    });
    const findings = detector.scanText(`DB_PASSWORD=${current}\nOLD_PASSWORD="${previous}"\n`, {
      path: '.env',
    });
    expect(findings.filter((f) => f.managedSecret).map((f) => f.managedSecret)).toEqual([
      { secretId: 'prod/orders-db', stage: 'AWSCURRENT' },
      { secretId: 'prod/orders-db', stage: 'AWSPREVIOUS' },
    ]);
    expect(JSON.stringify([...store.items.values()])).not.toMatch(new RegExp(`${current}|${previous}`));
  });

  it('is idempotent and cheap: a second run reads no value, writes nothing and keeps the version', async () => {
    const { secrets, store, deps } = setup();
    secrets.create(
      'svc/key',
      JSON.stringify({
        provider: 'aws-iam',
        userName: 'u',
        accessKeyId: 'AK',
        secretAccessKey: iamSecretKey(),
      }),
      {
        tags: { 'rotor:kind': 'api-key' },
      },
    );
    const first = await updateFingerprints({ secretId: 'svc/key' }, deps);
    const writes = store.writes;
    const reads = secrets.calls.filter((c) => c.operation === 'getValue').length;
    const second = await updateFingerprints({ secretId: 'svc/key' }, deps);
    expect(second).toEqual({ ...first, changed: false, version: undefined });
    expect(second).not.toHaveProperty('version');
    expect(store.writes).toBe(writes);
    expect(secrets.calls.filter((c) => c.operation === 'getValue').length).toBe(reads);
    expect(store.counter).toBe(1);
  });

  it('replaces the records after a rotation: the new value is current, the old one previous', async () => {
    const { secrets, store, keys, deps } = setup();
    const [v1, v2, v3] = [rotorPassword(), rotorPassword(), rotorPassword()];
    secrets.create('db', JSON.stringify(db(v1)), { tags: { 'rotor:kind': 'mysql' } });
    await updateFingerprints({ secretId: 'db' }, deps);
    await rotate(secrets, 'db', db(v2));
    await updateFingerprints({ secretId: 'db' }, deps);
    await rotate(secrets, 'db', db(v3));
    const out = await updateFingerprints({ secretId: 'db' }, deps);
    expect(out).toMatchObject({ records: 2, changed: true, version: 3 });
    const detector = createDetector({
      managed: { records: recordsOf((await store.readAll()).stages, keys.keyId), key: keys.managed.reveal() },
    });
    const stageOf = (v: string) =>
      detector.scanText(`pw=${v}`, { path: 'x' }).find((f) => f.managedSecret)?.managedSecret?.stage;
    expect([stageOf(v1), stageOf(v2), stageOf(v3)]).toEqual([undefined, 'AWSPREVIOUS', 'AWSCURRENT']);
  });

  it('redoes every stage when the key changes, so no record of another key is left', async () => {
    const { secrets, store, deps } = setup();
    secrets.create('db', JSON.stringify(db(rotorPassword())), { tags: { 'rotor:kind': 'postgres' } });
    await updateFingerprints({ secretId: 'db' }, deps);
    const other = deriveScanKeys(keySecret());
    const out = await updateFingerprints({ secretId: 'db' }, { ...deps, keys: async () => other });
    expect(out.changed).toBe(true);
    expect([...store.items.values()].map((s) => s.keyId)).toEqual([other.keyId]);
  });

  it('redoes a stage when the extraction settings change, without bumping the version if the records are the same', async () => {
    const { secrets, store, deps } = setup();
    secrets.create('db', JSON.stringify(db(rotorPassword())), { tags: { 'rotor:kind': 'postgres' } });
    await updateFingerprints({ secretId: 'db' }, deps);
    const writes = store.writes;
    const options = { passwordPolicy: { excludeCharacters: ' !"#$%&\'()*+,/:;<=>?@[\\]^`{|}~' } };
    const out = await updateFingerprints({ secretId: 'db' }, { ...deps, options });
    expect(store.writes).toBe(writes + 1);
    expect([...store.items.values()][0]!.recipe).toBe(recipeOf(options));
    expect(out.changed).toBe(false);
    expect(store.counter).toBe(1);
  });

  it('reports skipped fields per stage with reasons and keeps the others', async () => {
    const { secrets, deps } = setup();
    secrets.create('short', JSON.stringify(db('abc')), { tags: { 'rotor:kind': 'postgres' } });
    await rotate(secrets, 'short', db(rotorPassword()));
    const out = await updateFingerprints({ secretId: 'short' }, deps);
    expect(out.records).toBe(1);
    expect(out.skipped).toEqual([
      { field: 'password', stage: 'AWSPREVIOUS', reason: expect.stringMatching(/shorter than 8 characters/) },
    ]);
    expect(JSON.stringify(out)).not.toContain('"abc"');
  });

  it('deletes a stage that no longer exists and bumps the version', async () => {
    const { secrets, store, deps } = setup();
    secrets.create('db', JSON.stringify(db(rotorPassword())), { tags: { 'rotor:kind': 'postgres' } });
    await rotate(secrets, 'db', db(rotorPassword()));
    await updateFingerprints({ secretId: 'db' }, deps);
    await secrets.updateVersionStage('db', {
      stage: 'AWSPREVIOUS',
      removeFromVersionId: secrets.versionWith('db', 'AWSPREVIOUS'),
    });
    const out = await updateFingerprints({ secretId: 'db' }, deps);
    expect(out).toMatchObject({ records: 1, changed: true, version: 2 });
    expect([...store.items.values()].map((s) => s.stage)).toEqual(['AWSCURRENT']);
  });

  it('fingerprints an HTTP API key with the alphabet of its classes and names no value in the output', async () => {
    const { secrets, store, deps } = setup();
    const apiKey = `live_${randomOf(ALNUM, 30)}`;
    secrets.create('saas', JSON.stringify({ provider: 'acme', keyId: 'k1', apiKey }), {
      tags: { 'rotor:kind': 'api-key' },
    });
    const out = await updateFingerprints({ secretId: 'saas' }, deps);
    expect(out.records).toBe(1);
    expect([...store.items.values()][0]!.records[0]).toMatchObject({
      field: 'apiKey',
      length: apiKey.length,
    });
    expect(JSON.stringify({ out, items: [...store.items.values()] })).not.toContain(apiKey);
  });
});
