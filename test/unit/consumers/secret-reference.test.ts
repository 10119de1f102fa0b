import fc from 'fast-check';
import { parseSecretArn, parseValueFrom, referencesSecret } from '../../../core/consumers/secret-reference';
import { InvalidSecretReferenceError } from '../../../core/consumers/errors';

const REGION = 'eu-west-1';
const ACCOUNT = '111122223333';
const PREFIX = `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:`;
const task = { region: REGION, account: ACCOUNT };
const secretOf = (name: string, suffix = 'AbCdEf') =>
  parseSecretArn({ arn: `${PREFIX}${name}-${suffix}`, name });
const matches = (valueFrom: string, name: string, suffix = 'AbCdEf') =>
  referencesSecret(parseValueFrom(valueFrom), secretOf(name, suffix), task);

// Secret names: 1-64 of letters, digits and /_+=.@- (Secrets Manager's alphabet); suffixes: 6 alphanumerics.
const nameChar = fc.constantFrom(...'abcXYZ019/_+=.@-'.split(''));
const secretName = fc.string({ unit: nameChar, minLength: 1, maxLength: 40 });
const suffix = fc.string({ unit: fc.constantFrom(...'aZ09qQxX'.split('')), minLength: 6, maxLength: 6 });
const tail = fc.tuple(
  fc.constantFrom('', 'username', 'password'),
  fc.constantFrom('', 'AWSCURRENT', 'AWSPREVIOUS'),
  fc.constantFrom('', '01234567-89ab-cdef-0123-456789abcdef'),
);

/** Every form ECS accepts for one secret. */
function formsOf(name: string, sfx: string, [key, stage, id]: [string, string, string]): string[] {
  const full = `${PREFIX}${name}-${sfx}`;
  const partial = `${PREFIX}${name}`;
  return [full, partial, `${full}:${key}:${stage}:${id}`, `${partial}:${key}:${stage}:${id}`, name];
}

describe('parseSecretArn', () => {
  it('takes a full ARN apart and keeps the name with its suffix', () => {
    expect(secretOf('prod/db')).toEqual({
      arn: `${PREFIX}prod/db-AbCdEf`,
      partition: 'aws',
      region: REGION,
      account: ACCOUNT,
      name: 'prod/db',
      fullName: 'prod/db-AbCdEf',
    });
  });

  it('refuses a partial ARN, an ARN of another service and a name that disagrees with the ARN', () => {
    expect(() => parseSecretArn({ arn: `${PREFIX}prod/db`, name: 'prod/db' })).toThrow(
      InvalidSecretReferenceError,
    );
    expect(() =>
      parseSecretArn({ arn: `arn:aws:ssm:${REGION}:${ACCOUNT}:parameter/prod/db`, name: 'prod/db' }),
    ).toThrow(InvalidSecretReferenceError);
    expect(() => parseSecretArn({ arn: `${PREFIX}prod/db-AbCdEf`, name: 'prod/dc' })).toThrow(
      InvalidSecretReferenceError,
    );
  });
});

describe('parseValueFrom', () => {
  it('reads the json-key, version-stage and version-id tail of an ARN', () => {
    expect(parseValueFrom(`${PREFIX}prod/db-AbCdEf:username::`)).toEqual({
      kind: 'secret-arn',
      partition: 'aws',
      region: REGION,
      account: ACCOUNT,
      secretId: 'prod/db-AbCdEf',
      jsonKey: 'username',
    });
    expect(parseValueFrom(`${PREFIX}prod/db:password:AWSCURRENT:`)).toMatchObject({
      secretId: 'prod/db',
      jsonKey: 'password',
      versionStage: 'AWSCURRENT',
    });
    expect(parseValueFrom(`${PREFIX}prod/db-AbCdEf:::v-1`)).toMatchObject({
      secretId: 'prod/db-AbCdEf',
      versionId: 'v-1',
    });
  });

  it('reads bare names and Parameter Store references to secrets', () => {
    expect(parseValueFrom('prod/db')).toEqual({ kind: 'name', secretId: 'prod/db' });
    expect(parseValueFrom('/aws/reference/secretsmanager/prod/db')).toEqual({
      kind: 'parameter-reference',
      secretId: 'prod/db',
    });
    expect(
      parseValueFrom(`arn:aws:ssm:${REGION}:${ACCOUNT}:parameter/aws/reference/secretsmanager/prod/db`),
    ).toEqual({
      kind: 'parameter-reference',
      region: REGION,
      account: ACCOUNT,
      secretId: 'prod/db',
    });
  });

  it('calls anything else other: plain SSM parameters, too many colons, empty values', () => {
    expect(parseValueFrom(`arn:aws:ssm:${REGION}:${ACCOUNT}:parameter/prod/db`).kind).toBe('other');
    expect(parseValueFrom(`${PREFIX}prod/db:a:b:c:d`).kind).toBe('other');
    expect(parseValueFrom(`arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:`).kind).toBe('other');
    expect(parseValueFrom('').kind).toBe('other');
  });

  it('never throws, whatever the string', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.string().map((s) => `arn:${s}`),
          fc.string().map((s) => `${PREFIX}${s}`),
        ),
        (value) => {
          const parsed = parseValueFrom(value);
          expect(typeof referencesSecret(parsed, secretOf('prod/db'), task)).toBe('boolean');
        },
      ),
    );
  });

  it('parses every ARN form back to the name it was built from (any name, any tail)', () => {
    fc.assert(
      fc.property(secretName, suffix, tail, (name, sfx, t) => {
        const [full, partial, fullTail, partialTail] = formsOf(name, sfx, t);
        expect(parseValueFrom(full!)).toMatchObject({ kind: 'secret-arn', secretId: `${name}-${sfx}` });
        expect(parseValueFrom(partial!)).toMatchObject({ kind: 'secret-arn', secretId: name });
        const parsed = parseValueFrom(fullTail!);
        expect(parsed).toMatchObject({ kind: 'secret-arn', secretId: `${name}-${sfx}` });
        if (parsed.kind !== 'secret-arn') return;
        expect(parsed.jsonKey ?? '').toBe(t[0]);
        expect(parsed.versionStage ?? '').toBe(t[1]);
        expect(parsed.versionId ?? '').toBe(t[2]);
        expect(parseValueFrom(partialTail!)).toMatchObject({ kind: 'secret-arn', secretId: name });
      }),
    );
  });
});

describe('referencesSecret', () => {
  it('matches the full ARN, the partial ARN, either with a tail, and the bare name', () => {
    for (const form of formsOf('prod/db', 'AbCdEf', ['username', '', '']))
      expect(matches(form, 'prod/db')).toBe(true);
    expect(matches(`${PREFIX}prod/db-AbCdEf:password:AWSCURRENT:`, 'prod/db')).toBe(true);
    expect(matches('/aws/reference/secretsmanager/prod/db', 'prod/db')).toBe(true);
  });

  it('does not let prod/db match prod/db-replica, in either direction', () => {
    expect(matches(`${PREFIX}prod/db-replica`, 'prod/db')).toBe(false);
    expect(matches(`${PREFIX}prod/db-replica-QwErTy`, 'prod/db')).toBe(false);
    expect(matches(`${PREFIX}prod/db-replica:username::`, 'prod/db')).toBe(false);
    expect(matches('prod/db-replica', 'prod/db')).toBe(false);
    expect(matches(`${PREFIX}prod/db`, 'prod/db-replica')).toBe(false);
    expect(matches(`${PREFIX}prod/db-AbCdEf`, 'prod/db-replica', 'QwErTy')).toBe(false);
  });

  it('does not match the same name with another suffix, region, account or partition', () => {
    expect(matches(`${PREFIX}prod/db-ZzZzZz`, 'prod/db')).toBe(false);
    expect(matches(`arn:aws:secretsmanager:us-east-1:${ACCOUNT}:secret:prod/db-AbCdEf`, 'prod/db')).toBe(
      false,
    );
    expect(matches(`arn:aws:secretsmanager:${REGION}:999999999999:secret:prod/db`, 'prod/db')).toBe(false);
    expect(matches(`arn:aws-cn:secretsmanager:${REGION}:${ACCOUNT}:secret:prod/db`, 'prod/db')).toBe(false);
  });

  it("matches a bare name only when the task definition is in the secret's account and region", () => {
    const secret = secretOf('prod/db');
    expect(referencesSecret(parseValueFrom('prod/db'), secret, task)).toBe(true);
    expect(
      referencesSecret(parseValueFrom('prod/db'), secret, { region: 'us-east-1', account: ACCOUNT }),
    ).toBe(false);
    expect(
      referencesSecret(parseValueFrom('prod/db'), secret, { region: REGION, account: '999999999999' }),
    ).toBe(false);
    expect(referencesSecret(parseValueFrom('prod/db'), secret, undefined)).toBe(false);
  });

  it('matches every form of a secret and none of another, whatever the names (slashes, dashes, suffix-like endings)', () => {
    fc.assert(
      fc.property(secretName, secretName, suffix, suffix, tail, (a, b, sfxA, sfxB, t) => {
        // A partial ARN of `x-AbCdEf` is the full ARN of `x` (suffix AbCdEf): AWS itself calls it ambiguous.
        fc.pre(a !== b && b !== `${a}-${sfxA}` && a !== `${b}-${sfxB}`);
        for (const form of formsOf(a, sfxA, t)) {
          expect(matches(form, a, sfxA)).toBe(true);
          expect(matches(form, b, sfxB)).toBe(false);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('matches suffix-like endings exactly: a name ending in -AbCdEf is not its own stem', () => {
    expect(matches(`${PREFIX}app-key-AbCdEf`, 'app-key-AbCdEf', 'QwErTy')).toBe(true); // its partial ARN
    expect(matches(`${PREFIX}app-key-AbCdEf-QwErTy`, 'app-key-AbCdEf', 'QwErTy')).toBe(true);
    expect(matches(`${PREFIX}app-key-QwErTy`, 'app-key-AbCdEf', 'QwErTy')).toBe(false);
  });
});
