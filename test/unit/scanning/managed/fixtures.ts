import { generateKeyPairSync, randomInt } from 'node:crypto';
import { Sensitive } from '../../../../core/sensitive';

export const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** Random characters of an alphabet, made at test time (no credential-looking literal is committed). */
export function randomOf(alphabet: string, length: number): string {
  let out = '';
  for (let i = 0; i < length; i += 1) out += alphabet[randomInt(alphabet.length)];
  return out;
}

/** A password as Rotor's default policy makes it: 32 of letters, digits and `-_.`, each class present. */
export function rotorPassword(): string {
  return `a${randomOf(`${ALNUM}-_.`, 29)}Z-9`;
}

/** An IAM-style secret access key: 40 characters of base64, with a `/` and a `+` somewhere. */
export function iamSecretKey(): string {
  return `${randomOf(ALNUM, 18)}/${randomOf(ALNUM, 10)}+${randomOf(ALNUM, 10)}`;
}

/** A PKCS#8 PEM private key, generated now. */
export function pemPrivateKey(type: 'ec' | 'rsa' = 'ec'): string {
  const { privateKey } =
    type === 'ec'
      ? generateKeyPairSync('ec', { namedCurve: 'P-256' })
      : generateKeyPairSync('rsa', { modulusLength: 2048 });
  return privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
}

/** A secret string as Secrets Manager holds it. */
export function secretString(value: Record<string, unknown>): Sensitive<string> {
  return Sensitive.of(JSON.stringify(value));
}

/** A key secret as the construct generates it: 64 letters and digits. */
export function keySecret(): Sensitive<string> {
  return Sensitive.of(randomOf(ALNUM, 64));
}
