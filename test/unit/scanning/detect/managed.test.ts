import { createDetector } from '../../../../core/scanning/detect';
import {
  fingerprintManagedValue,
  ManagedSecretIndex,
  InvalidManagedRecordError,
} from '../../../../core/scanning/managed';
import { ALNUM, rand, resetSampleSeed } from '../../../../core/scanning/rules/sample-kit';
import { fileOf, utf8 } from '../fixtures/streams';

// Secrets Manager's default password alphabet: letters, digits and punctuation (no space).
const PUNCTUATED = ALNUM + '!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~';
const key = 'hmac-key-from-kms';

describe('managed secrets', () => {
  beforeAll(() => resetSampleSeed(11));
  const current = rand(ALNUM, 32);
  const previous = rand(ALNUM, 32);
  const password = 'Zq' + rand(PUNCTUATED.replace(/["'`\\]/g, ''), 28) + '!x';
  const records = [
    fingerprintManagedValue(key, 'prod/api-key', 'AWSCURRENT', current, ALNUM),
    fingerprintManagedValue(key, 'prod/api-key', 'AWSPREVIOUS', previous, ALNUM),
    fingerprintManagedValue(key, 'prod/db', 'AWSCURRENT', password, PUNCTUATED),
  ];
  const detector = createDetector({ managed: { records, key } });

  it('finds the current value even where no rule matches, as a critical managed-secret finding', () => {
    const [finding] = detector.scanText(`something ${current} else`, { path: 'opt/app/data.txt' });
    expect(finding).toMatchObject({
      ruleId: 'managed-secret',
      severity: 'critical',
      managedSecret: { secretId: 'prod/api-key', stage: 'AWSCURRENT' },
      location: { line: 0, column: 11 },
    });
    expect(finding!.excerpt).not.toContain(current);
  });

  it('finds the previous value too', () => {
    const findings = detector.scanText(`KEY=${previous}`, { path: 'p' });
    expect(findings.map((f) => f.managedSecret)).toEqual([
      { secretId: 'prod/api-key', stage: 'AWSPREVIOUS' },
    ]);
  });

  it('finds a punctuated password between the delimiters of code and config', async () => {
    for (const text of [
      `DB_PASSWORD="${password}"`,
      `password: '${password}'`,
      `postgres://app:${password}@db/x`,
    ]) {
      const found = await detector.scanFile(fileOf('.env', [utf8(text)]));
      expect(found.map((f) => f.managedSecret?.secretId)).toContain('prod/db');
    }
  });

  it('wins over a rule that matched the same value', () => {
    const findings = detector.scanText(`API_KEY="${current}"`, { path: 'p' });
    expect(findings.map((f) => f.ruleId)).toEqual(['managed-secret']);
  });

  it('ignores a value of another length or inside a longer token', () => {
    expect(detector.scanText(`x ${current.slice(0, 31)} y`, { path: 'p' })).toEqual([]);
    expect(detector.scanText(`x ${current}A y`, { path: 'p' }).filter((f) => f.managedSecret)).toEqual([]);
  });

  it('holds no plaintext: records and index carry HMACs, lengths and alphabets only', () => {
    const serialized = JSON.stringify(records);
    for (const value of [current, previous, password]) expect(serialized).not.toContain(value);
    const index = new ManagedSecretIndex(records, key);
    expect(JSON.stringify(index)).not.toContain(current);
    expect(records[0]!.hmac).toMatch(/^[0-9a-f]{64}$/);
    expect(records[0]).toEqual({
      secretId: 'prod/api-key',
      stage: 'AWSCURRENT',
      hmac: records[0]!.hmac,
      length: 32,
      alphabet: [...ALNUM].sort().join(''),
    });
  });

  it('does not match under another HMAC key', () => {
    const other = createDetector({ managed: { records, key: 'another-key' } });
    expect(other.scanText(`x ${current} y`, { path: 'p' })).toEqual([]);
  });

  it('refuses to index a value with characters outside its alphabet or too short, without quoting it', () => {
    expect(() => fingerprintManagedValue(key, 's', 'AWSCURRENT', 'abc def ghi', ALNUM)).toThrow(
      InvalidManagedRecordError,
    );
    try {
      fingerprintManagedValue(key, 's', 'AWSCURRENT', 'short', ALNUM);
    } catch (error) {
      expect(String(error)).not.toContain('short');
    }
  });
});
