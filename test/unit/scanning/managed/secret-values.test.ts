import {
  BASE64,
  classAlphabet,
  passwordAlphabet,
  PUNCTUATION,
} from '../../../../core/scanning/managed/alphabets';
import { fingerprintableValues, managedKindOf } from '../../../../core/scanning/managed/secret-values';
import { Sensitive } from '../../../../core/sensitive';
import { ALNUM, iamSecretKey, pemPrivateKey, randomOf, rotorPassword, secretString } from './fixtures';

const sorted = (s: string) => [...s].sort().join('');
const revealed = (out: ReturnType<typeof fingerprintableValues>) =>
  out.values.map((v) => ({
    field: v.field,
    value: v.value.reveal(),
    alphabet: sorted(v.alphabet),
    from: v.alphabetFrom,
  }));

describe('passwordAlphabet', () => {
  it("gives Rotor's default policy letters, digits and -_.", () => {
    const alphabet = passwordAlphabet({ excludeCharacters: ' !"#$%&\'()*+,/:;<=>?@[\\]^`{|}~' });
    expect(sorted(alphabet)).toBe(sorted(`${ALNUM}-_.`));
  });

  it('follows the exclusions of classes and characters', () => {
    expect(
      sorted(
        passwordAlphabet({ excludePunctuation: true, excludeUppercase: true, excludeCharacters: 'xyz0' }),
      ),
    ).toBe(sorted('abcdefghijklmnopqrstuvw123456789'));
    expect(passwordAlphabet({})).toHaveLength(94);
  });
});

describe('classAlphabet', () => {
  it('includes each class the value uses, whole', () => {
    expect(sorted(classAlphabet('abc123')!)).toBe(sorted('abcdefghijklmnopqrstuvwxyz0123456789'));
    expect(sorted(classAlphabet('sk_live_ABC')!)).toBe(sorted(`${ALNUM.replace(/[0-9]/g, '')}-_.`));
    expect(sorted(classAlphabet('ab+/=')!)).toBe(sorted('abcdefghijklmnopqrstuvwxyz+/='));
  });

  it('takes all punctuation when the value has punctuation outside the -_. and +/= groups', () => {
    expect(sorted(classAlphabet('a!b')!)).toBe(sorted(`abcdefghijklmnopqrstuvwxyz${PUNCTUATION}`));
  });

  it('has none for spaces or characters outside printable ASCII', () => {
    expect(classAlphabet('has space')).toBeUndefined();
    expect(classAlphabet('caf\u00e9-latte')).toBeUndefined();
  });
});

describe('managedKindOf', () => {
  it('reads the rotor:kind tag, and the shape when there is no tag', () => {
    expect(managedKindOf('postgres', {})).toBe('database');
    expect(managedKindOf('aurora-mysql', {})).toBe('database');
    expect(managedKindOf('api-key', {})).toBe('api-key');
    expect(managedKindOf('certificate', {})).toBe('certificate');
    expect(managedKindOf('something-else', { engine: 'postgres', password: 'x' })).toBeUndefined();
    expect(managedKindOf(undefined, { engine: 'postgres', password: 'x' })).toBe('database');
    expect(managedKindOf(undefined, { provider: 'acme' })).toBe('api-key');
    expect(managedKindOf(undefined, { certificate: 'c', privateKey: 'k' })).toBe('certificate');
    expect(managedKindOf(undefined, { user: 'x' })).toBeUndefined();
  });
});

describe('fingerprintableValues', () => {
  it("takes a database password with the policy's alphabet when Rotor generated it", () => {
    const password = rotorPassword();
    const out = fingerprintableValues(
      secretString({ engine: 'postgres', host: 'db', port: 5432, username: 'app', password }),
      'postgres',
    );
    expect(revealed(out)).toEqual([
      { field: 'password', value: password, alphabet: sorted(`${ALNUM}-_.`), from: 'policy' },
    ]);
    expect(out.skipped).toEqual([]);
  });

  it('uses the configured exclusions for the policy alphabet', () => {
    const password = `${randomOf(ALNUM, 20)}!@#`;
    const out = fingerprintableValues(secretString({ engine: 'mysql', password }), 'mysql', {
      passwordPolicy: { excludeCharacters: ' ' },
    });
    expect(out.values[0]).toMatchObject({ field: 'password', alphabetFrom: 'policy' });
    expect(out.values[0]!.alphabet).toHaveLength(94);
  });

  it('falls back to character classes for a password Rotor did not generate', () => {
    const password = `Ab1${randomOf(ALNUM, 16)}!${randomOf(ALNUM, 4)}`;
    const out = fingerprintableValues(secretString({ engine: 'mariadb', password }), 'mariadb');
    expect(revealed(out)).toEqual([
      { field: 'password', value: password, alphabet: sorted(`${ALNUM}${PUNCTUATION}`), from: 'classes' },
    ]);
  });

  it('takes an IAM secret access key as base64, and not the access key id', () => {
    const key = iamSecretKey();
    const out = fingerprintableValues(
      secretString({
        provider: 'aws-iam',
        userName: 'deployer',
        accessKeyId: randomOf('ABCDEFGHIJKLMNOPQRSTUVWXYZ234567', 20),
        secretAccessKey: key,
      }),
      'api-key',
    );
    expect(revealed(out)).toEqual([
      { field: 'secretAccessKey', value: key, alphabet: sorted(BASE64), from: 'format' },
    ]);
  });

  it("takes an HTTP provider's apiKey with the alphabet of its character classes", () => {
    const apiKey = `sk_test_Ab1${randomOf(ALNUM, 24)}`;
    const out = fingerprintableValues(secretString({ provider: 'acme', keyId: 'key_1', apiKey }), 'api-key');
    expect(revealed(out)).toEqual([
      { field: 'apiKey', value: apiKey, alphabet: sorted(`${ALNUM}-_.`), from: 'classes' },
    ]);
  });

  it.each(['ec', 'rsa'] as const)('takes the last full line of a %s private key PEM body', (type) => {
    const pem = pemPrivateKey(type);
    const out = fingerprintableValues(
      secretString({ certificate: 'PEM', privateKey: pem, chain: 'PEM' }),
      'certificate',
    );
    const [value] = out.values;
    expect(value).toMatchObject({ field: 'privateKey', alphabetFrom: 'format' });
    const line = value!.value.reveal();
    expect(line).toHaveLength(64);
    const bodyLines = pem.trim().split('\n').slice(1, -1);
    expect(bodyLines).toContain(line);
    // Never the first line: it starts with the structural prefix every key of a type shares.
    expect(bodyLines[0]).not.toBe(line);
  });

  it('skips a certificate whose key has no full 64-character line', () => {
    const out = fingerprintableValues(
      secretString({ certificate: 'x', privateKey: 'not a pem' }),
      'certificate',
    );
    expect(out).toEqual({
      values: [],
      skipped: [{ field: 'privateKey', reason: 'no full 64-character line in the PEM body' }],
    });
  });

  it('skips values too short or too long, with a reason and without the value', () => {
    const short = fingerprintableValues(secretString({ engine: 'postgres', password: 'abc123' }), 'postgres');
    expect(short.values).toEqual([]);
    expect(short.skipped).toEqual([{ field: 'password', reason: expect.stringMatching(/shorter than 8/) }]);
    const long = fingerprintableValues(
      secretString({ provider: 'acme', keyId: 'k', apiKey: randomOf(ALNUM, 9000) }),
      'api-key',
    );
    expect(long.skipped).toEqual([
      { field: 'apiKey', reason: expect.stringMatching(/longer than the 8192/) },
    ]);
    expect(JSON.stringify([short, long])).not.toMatch(/abc123/);
  });

  it('skips a missing field, a field that is not a string, and a value with spaces', () => {
    expect(fingerprintableValues(secretString({ engine: 'postgres' }), 'postgres').skipped).toEqual([
      { field: 'password', reason: 'missing' },
    ]);
    expect(fingerprintableValues(secretString({ provider: 'acme', apiKey: 42 }), 'api-key').skipped).toEqual([
      { field: 'apiKey', reason: 'not a string' },
    ]);
    expect(
      fingerprintableValues(
        secretString({ engine: 'postgres', password: 'correct horse battery' }),
        'postgres',
      ).skipped,
    ).toEqual([{ field: 'password', reason: 'has a space or a character outside printable ASCII' }]);
  });

  it('skips a secret that is not JSON, or of a kind Rotor does not know, without quoting it', () => {
    const notJson = fingerprintableValues(Sensitive.of('plain-text-value-123'), 'postgres');
    expect(notJson).toEqual({
      values: [],
      skipped: [{ field: '(secret)', reason: 'the secret string is not JSON' }],
    });
    expect(fingerprintableValues(secretString({ a: 1 }), 'ssh-key').skipped).toEqual([
      { field: '(secret)', reason: 'a rotor:kind Rotor does not know' },
    ]);
    expect(fingerprintableValues(Sensitive.of('[1, 2]'), undefined).skipped).toEqual([
      { field: '(secret)', reason: 'the secret is not a JSON object' },
    ]);
  });

  it('wraps every value it returns, so printing the result shows no value', () => {
    const password = rotorPassword();
    const out = fingerprintableValues(secretString({ engine: 'postgres', password }), 'postgres');
    expect(JSON.stringify(out)).not.toContain(password);
  });
});

describe('fingerprintableValues with settings left unset', () => {
  it("keeps Rotor's default exclusions when the setting is present but undefined", () => {
    const out = fingerprintableValues(
      secretString({ engine: 'postgres', password: rotorPassword() }),
      'postgres',
      {
        passwordPolicy: { excludeCharacters: undefined },
      },
    );
    expect(sorted(out.values[0]!.alphabet)).toBe(sorted(`${ALNUM}-_.`));
  });
});
