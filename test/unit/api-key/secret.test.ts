import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { Sensitive } from '../../../core/sensitive';
import { InvalidApiKeySecretError } from '../../../core/rotation/api-key/errors';
import {
  issuedKeyOf,
  parseApiKeySecret,
  serializeApiKeySecret,
  withKey,
} from '../../../core/rotation/api-key/secret';

// Credential-shaped values are generated here, never written out.
const accessKeyId = () => ['AK', 'IA', randomBytes(8).toString('hex').toUpperCase()].join('');
const secretKey = () => randomBytes(30).toString('base64');
const apiKey = () => `sk_${randomBytes(24).toString('base64url')}`;
const json = (value: unknown) => Sensitive.of(JSON.stringify(value));

describe('parseApiKeySecret', () => {
  it('parses an IAM access key secret and keeps the other fields as settings', () => {
    const id = accessKeyId();
    const secret = parseApiKeySecret(
      json({
        provider: 'aws-iam',
        userName: 'svc-orders',
        accessKeyId: id,
        secretAccessKey: secretKey(),
        region: 'eu-west-1',
      }),
    );
    expect(secret).toMatchObject({
      provider: 'aws-iam',
      userName: 'svc-orders',
      accessKeyId: id,
      settings: { region: 'eu-west-1' },
    });
    expect(issuedKeyOf(secret).keyId).toBe(id);
  });

  it('parses a generic API key secret', () => {
    const value = apiKey();
    const secret = parseApiKeySecret(
      json({ provider: 'acme', keyId: 'k-1', apiKey: value, name: 'orders', scopes: 3 }),
    );
    expect(secret).toMatchObject({ provider: 'acme', keyId: 'k-1', settings: { name: 'orders', scopes: 3 } });
    expect(issuedKeyOf(secret).secret.reveal()).toBe(value);
    expect(JSON.stringify(secret)).not.toContain(value);
  });

  it('round-trips through serialize, and withKey swaps only the key', () => {
    const original = parseApiKeySecret(
      json({ provider: 'acme', keyId: 'k-1', apiKey: apiKey(), name: 'orders' }),
    );
    const next = withKey(original, { keyId: 'k-2', secret: Sensitive.of(apiKey()) });
    const back = parseApiKeySecret(serializeApiKeySecret(next));
    expect(back).toMatchObject({ provider: 'acme', keyId: 'k-2', settings: { name: 'orders' } });
    expect(issuedKeyOf(back).secret.reveal()).toBe(issuedKeyOf(next).secret.reveal());
  });

  it.each([
    [{ provider: 'aws-iam', userName: 'svc', secretAccessKey: 'x' }, 'accessKeyId'],
    [{ provider: 'acme', keyId: 'k-1' }, 'apiKey'],
    [{ provider: 'acme', keyId: 'k-1', apiKey: 'v', adminToken: 'v2' }, 'adminToken'],
    [{ provider: 'acme', keyId: 'k-1', apiKey: 'v', nested: { a: 1 } }, 'nested'],
    [{ provider: 'Not A Name', keyId: 'k-1', apiKey: 'v' }, 'provider'],
  ])('names the field at fault: %j', (value, field) => {
    const error = (() => {
      try {
        parseApiKeySecret(json(value));
      } catch (e) {
        return e as InvalidApiKeySecretError;
      }
      throw new Error('no error');
    })();
    expect(error).toBeInstanceOf(InvalidApiKeySecretError);
    expect(error.message).toContain(field);
    expect(error.message).not.toContain('Not A Name');
  });

  it('never puts a value in its error, whatever the input (property)', () => {
    fc.assert(
      fc.property(
        fc.string({ minLength: 8 }).map((s) => `v4lue${s}`),
        // (`provider` is a name, not a secret: a valid one is echoed, an invalid one is not, see above.)
        fc.constantFrom('apiKey', 'secretAccessKey', 'keyId', 'userName', 'accessKeyId'),
        fc.boolean(),
        (value, field, iam) => {
          const base: Record<string, unknown> = iam
            ? { provider: 'aws-iam', userName: 'bad name!', accessKeyId: 'short', secretAccessKey: value }
            : { provider: 'acme', keyId: 'k', apiKey: value, password: value };
          base[field] = value;
          try {
            parseApiKeySecret(json(base));
          } catch (error) {
            const text = `${(error as Error).message} ${JSON.stringify((error as InvalidApiKeySecretError).context)}`;
            return !text.includes(value);
          }
          return true;
        },
      ),
    );
  });

  it('reports a JSON syntax error without quoting the text', () => {
    const value = apiKey();
    expect(() => parseApiKeySecret(Sensitive.of(`{"apiKey": "${value}`))).toThrow(InvalidApiKeySecretError);
    try {
      parseApiKeySecret(Sensitive.of(`{"apiKey": "${value}`));
    } catch (error) {
      expect((error as Error).message).not.toContain(value);
      expect((error as Error).cause).toBeUndefined();
    }
  });
});
