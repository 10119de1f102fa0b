import {
  createPublicKey,
  createSecretKey,
  generateKeyPair,
  randomBytes,
  randomUUID,
  type KeyObject,
} from 'node:crypto';
import { promisify } from 'node:util';
import { AwsServiceError } from '../aws-json-server';
import type { KeySpec, KeyUsage } from './specs';

const generateKeyPairAsync = promisify(generateKeyPair);

/** A KMS key as the stand-in holds it: metadata plus the key material, which never leaves the process. */
export interface StoredKey {
  readonly keyId: string;
  readonly arn: string;
  readonly spec: KeySpec;
  readonly usage: KeyUsage;
  readonly description: string;
  readonly tags: readonly { TagKey: string; TagValue: string }[];
  readonly createdAt: Date;
  state: 'Enabled' | 'Disabled' | 'PendingDeletion';
  deletionDate?: Date;
  pendingWindowInDays?: number;
  /** The AES-256 key of a symmetric key; the private key of an asymmetric one. */
  readonly material: KeyObject;
  readonly publicKey?: KeyObject;
}

/** Keys and aliases of one account and region, addressed by key id, key ARN, alias name or alias ARN. */
export class KeyStore {
  readonly #keys = new Map<string, StoredKey>();
  readonly #aliases = new Map<string, { keyId: string; createdAt: Date }>();

  constructor(
    readonly region: string,
    readonly accountId: string,
  ) {}

  /** Creates a key with fresh material (RSA generation takes a moment: 4096 bits about a second). */
  async create(
    spec: KeySpec,
    usage: KeyUsage,
    description: string,
    tags: StoredKey['tags'],
    now: Date,
  ): Promise<StoredKey> {
    const keyId = randomUUID();
    const { material, publicKey } = await generateMaterial(spec);
    const key: StoredKey = {
      keyId,
      arn: `arn:aws:kms:${this.region}:${this.accountId}:key/${keyId}`,
      spec,
      usage,
      description,
      tags,
      createdAt: now,
      state: 'Enabled',
      material,
      publicKey,
    };
    this.#keys.set(keyId, key);
    return key;
  }

  /**
   * Adopts an existing private key (a test hook: AWS would need Origin EXTERNAL and ImportKeyMaterial), so a
   * test can make signatures outside KMS with the same key and check that Verify accepts them.
   */
  adopt(privateKey: KeyObject, description: string, now: Date): StoredKey {
    const details = privateKey.asymmetricKeyDetails ?? {};
    const spec: KeySpec | undefined =
      privateKey.asymmetricKeyType === 'ec'
        ? details.namedCurve === 'prime256v1'
          ? 'ECC_NIST_P256'
          : details.namedCurve === 'secp384r1'
            ? 'ECC_NIST_P384'
            : undefined
        : privateKey.asymmetricKeyType === 'rsa' && [2048, 3072, 4096].includes(details.modulusLength ?? 0)
          ? (`RSA_${details.modulusLength}` as KeySpec)
          : undefined;
    if (!spec || privateKey.type !== 'private')
      throw new Error('adopt() takes a P-256, P-384 or RSA 2048/3072/4096 private key');
    const keyId = randomUUID();
    const key: StoredKey = {
      keyId,
      arn: `arn:aws:kms:${this.region}:${this.accountId}:key/${keyId}`,
      spec,
      usage: 'SIGN_VERIFY',
      description,
      tags: [],
      createdAt: now,
      state: 'Enabled',
      material: privateKey,
      publicKey: createPublicKey(privateKey),
    };
    this.#keys.set(keyId, key);
    return key;
  }

  /** Resolves any of the four ways KMS accepts to name a key; NotFoundException otherwise. */
  resolve(keyIdentifier: unknown): StoredKey {
    if (typeof keyIdentifier !== 'string' || keyIdentifier.length === 0) {
      throw new AwsServiceError(
        'ValidationException',
        '1 validation error detected: KeyId must not be empty',
      );
    }
    const prefix = `arn:aws:kms:${this.region}:${this.accountId}:`;
    const name = keyIdentifier.startsWith(prefix) ? keyIdentifier.slice(prefix.length) : keyIdentifier;
    let keyId = name.startsWith('key/') ? name.slice(4) : name;
    if (name.startsWith('alias/')) {
      const alias = this.#aliases.get(name);
      if (!alias) throw new AwsServiceError('NotFoundException', `Alias ${prefix}${name} is not found.`);
      keyId = alias.keyId;
    }
    const key = this.#keys.get(keyId);
    if (!key) throw new AwsServiceError('NotFoundException', `Key '${prefix}key/${keyId}' does not exist`);
    return key;
  }

  /** Every key, in creation order. */
  list(): StoredKey[] {
    return [...this.#keys.values()];
  }

  /** The key with this id, or undefined (for ciphertext blobs, which embed the id). */
  byId(keyId: string): StoredKey | undefined {
    return this.#keys.get(keyId);
  }

  createAlias(aliasName: unknown, targetKeyId: unknown, now: Date): void {
    if (typeof aliasName !== 'string' || !/^alias\/[a-zA-Z0-9/_-]{1,250}$/.test(aliasName)) {
      throw new AwsServiceError(
        'ValidationException',
        'AliasName must begin with alias/ followed by [a-zA-Z0-9/_-]',
      );
    }
    if (aliasName.startsWith('alias/aws/')) {
      throw new AwsServiceError('NotAuthorizedException', 'Cannot create alias with prefix alias/aws/');
    }
    if (this.#aliases.has(aliasName)) {
      throw new AwsServiceError(
        'AlreadyExistsException',
        `An alias with the name ${this.aliasArn(aliasName)} already exists`,
      );
    }
    const key = this.resolve(targetKeyId);
    if (key.state === 'PendingDeletion') throw invalidState(key);
    this.#aliases.set(aliasName, { keyId: key.keyId, createdAt: now });
  }

  deleteAlias(aliasName: unknown): void {
    if (typeof aliasName !== 'string' || !this.#aliases.delete(aliasName)) {
      throw new AwsServiceError('NotFoundException', `Alias ${String(aliasName)} is not found.`);
    }
  }

  aliases(
    keyId?: string,
  ): { AliasName: string; AliasArn: string; TargetKeyId: string; CreationDate: number }[] {
    return [...this.#aliases.entries()]
      .filter(([, alias]) => keyId === undefined || alias.keyId === keyId)
      .map(([name, alias]) => ({
        AliasName: name,
        AliasArn: this.aliasArn(name),
        TargetKeyId: alias.keyId,
        CreationDate: alias.createdAt.getTime() / 1000,
      }));
  }

  private aliasArn(aliasName: string): string {
    return `arn:aws:kms:${this.region}:${this.accountId}:${aliasName}`;
  }
}

/** KMSInvalidStateException for a key pending deletion. */
export function invalidState(key: StoredKey): AwsServiceError {
  return new AwsServiceError('KMSInvalidStateException', `${key.arn} is pending deletion.`);
}

async function generateMaterial(spec: KeySpec): Promise<{ material: KeyObject; publicKey?: KeyObject }> {
  if (spec === 'SYMMETRIC_DEFAULT') return { material: createSecretKey(randomBytes(32)) };
  const pair =
    spec === 'ECC_NIST_P256' || spec === 'ECC_NIST_P384'
      ? await generateKeyPairAsync('ec', { namedCurve: spec === 'ECC_NIST_P256' ? 'P-256' : 'P-384' })
      : await generateKeyPairAsync('rsa', { modulusLength: Number(spec.slice(4)), publicExponent: 65537 });
  return { material: pair.privateKey, publicKey: pair.publicKey };
}
