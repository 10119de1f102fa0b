import {
  constants,
  createHash,
  createPublicKey,
  generateKeyPairSync,
  sign,
  verify,
  type KeyObject,
} from 'node:crypto';
import {
  CancelKeyDeletionCommand,
  CreateAliasCommand,
  CreateKeyCommand,
  DecryptCommand,
  DescribeKeyCommand,
  DisableKeyCommand,
  EnableKeyCommand,
  EncryptCommand,
  GenerateDataKeyCommand,
  GetPublicKeyCommand,
  ListResourceTagsCommand,
  KMSClient,
  ListAliasesCommand,
  ScheduleKeyDeletionCommand,
  SignCommand,
  VerifyCommand,
  type SigningAlgorithmSpec,
} from '@aws-sdk/client-kms';
import { startKmsStandIn, type KmsStandIn } from '../../../local/kms';

let kms: KmsStandIn;
let client: KMSClient;
let ecKeyId: string;
let p384KeyId: string;
let rsaKeyId: string;
let symmetricKeyId: string;

const text = (value: string) => new TextEncoder().encode(value);

async function publicKeyOf(keyId: string): Promise<KeyObject> {
  const { PublicKey } = await client.send(new GetPublicKeyCommand({ KeyId: keyId }));
  return createPublicKey({ key: Buffer.from(PublicKey!), format: 'der', type: 'spki' });
}

async function createKey(
  KeySpec: 'ECC_NIST_P256' | 'ECC_NIST_P384' | 'RSA_2048' | 'SYMMETRIC_DEFAULT',
  KeyUsage: 'SIGN_VERIFY' | 'ENCRYPT_DECRYPT',
) {
  const { KeyMetadata } = await client.send(new CreateKeyCommand({ KeySpec, KeyUsage }));
  return KeyMetadata!.KeyId!;
}

beforeAll(async () => {
  kms = await startKmsStandIn({ region: 'eu-west-1' });
  client = new KMSClient({
    endpoint: kms.endpoint,
    region: kms.region,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    maxAttempts: 1,
  });
  [ecKeyId, p384KeyId, rsaKeyId, symmetricKeyId] = await Promise.all([
    createKey('ECC_NIST_P256', 'SIGN_VERIFY'),
    createKey('ECC_NIST_P384', 'SIGN_VERIFY'),
    createKey('RSA_2048', 'SIGN_VERIFY'),
    createKey('SYMMETRIC_DEFAULT', 'ENCRYPT_DECRYPT'),
  ]);
});

afterAll(async () => {
  client?.destroy();
  await kms?.close();
});

describe('CreateKey and DescribeKey', () => {
  it('creates a symmetric ENCRYPT_DECRYPT key by default and describes it with its metadata', async () => {
    const created = await client.send(
      new CreateKeyCommand({ Description: 'audit key', Tags: [{ TagKey: 'rotor:kind', TagValue: 'audit' }] }),
    );
    const meta = created.KeyMetadata!;
    expect(meta).toMatchObject({
      KeySpec: 'SYMMETRIC_DEFAULT',
      KeyUsage: 'ENCRYPT_DECRYPT',
      KeyState: 'Enabled',
      Enabled: true,
      Description: 'audit key',
      Origin: 'AWS_KMS',
      KeyManager: 'CUSTOMER',
      EncryptionAlgorithms: ['SYMMETRIC_DEFAULT'],
      AWSAccountId: kms.accountId,
    });
    expect(meta.Arn).toBe(`arn:aws:kms:eu-west-1:${kms.accountId}:key/${meta.KeyId}`);
    expect(meta.CreationDate).toBeInstanceOf(Date);
    const described = await client.send(new DescribeKeyCommand({ KeyId: meta.Arn }));
    expect(described.KeyMetadata!.KeyId).toBe(meta.KeyId);
    const tags = await client.send(new ListResourceTagsCommand({ KeyId: meta.KeyId }));
    expect(tags.Tags).toEqual([{ TagKey: 'rotor:kind', TagValue: 'audit' }]);
  });

  it('lists the signing algorithms of asymmetric keys', async () => {
    const ec = await client.send(new DescribeKeyCommand({ KeyId: ecKeyId }));
    expect(ec.KeyMetadata).toMatchObject({ KeySpec: 'ECC_NIST_P256', SigningAlgorithms: ['ECDSA_SHA_256'] });
    const rsa = await client.send(new DescribeKeyCommand({ KeyId: rsaKeyId }));
    expect(rsa.KeyMetadata!.SigningAlgorithms).toEqual(
      expect.arrayContaining(['RSASSA_PKCS1_V1_5_SHA_256', 'RSASSA_PSS_SHA_512']),
    );
  });

  it.each([
    ['ECC_NIST_P256', 'ENCRYPT_DECRYPT'],
    ['ECC_NIST_P256', undefined],
    ['SYMMETRIC_DEFAULT', 'SIGN_VERIFY'],
    ['ECC_SECP_NOPE', 'SIGN_VERIFY'],
  ])('rejects KeySpec %s with KeyUsage %s as ValidationException', async (KeySpec, KeyUsage) => {
    await expect(
      client.send(new CreateKeyCommand({ KeySpec: KeySpec as any, KeyUsage: KeyUsage as any })),
    ).rejects.toMatchObject({
      name: 'ValidationException',
    });
  });

  it('answers NotFoundException for a key that does not exist', async () => {
    await expect(
      client.send(new DescribeKeyCommand({ KeyId: '00000000-0000-4000-8000-000000000000' })),
    ).rejects.toMatchObject({ name: 'NotFoundException' });
  });
});

describe('aliases', () => {
  it('resolves a key by alias name and alias ARN', async () => {
    await client.send(new CreateAliasCommand({ AliasName: 'alias/rotor-ca', TargetKeyId: ecKeyId }));
    const byName = await client.send(new DescribeKeyCommand({ KeyId: 'alias/rotor-ca' }));
    expect(byName.KeyMetadata!.KeyId).toBe(ecKeyId);
    const aliasArn = `arn:aws:kms:eu-west-1:${kms.accountId}:alias/rotor-ca`;
    const byArn = await client.send(
      new SignCommand({ KeyId: aliasArn, Message: text('m'), SigningAlgorithm: 'ECDSA_SHA_256' }),
    );
    expect(byArn.KeyId).toContain(ecKeyId);
    const listed = await client.send(new ListAliasesCommand({ KeyId: ecKeyId }));
    expect(listed.Aliases!.map((a) => a.AliasName)).toEqual(['alias/rotor-ca']);
  });

  it('refuses a duplicate alias, a reserved prefix and an unknown alias', async () => {
    await client.send(new CreateAliasCommand({ AliasName: 'alias/twice', TargetKeyId: ecKeyId }));
    await expect(
      client.send(new CreateAliasCommand({ AliasName: 'alias/twice', TargetKeyId: rsaKeyId })),
    ).rejects.toMatchObject({
      name: 'AlreadyExistsException',
    });
    await expect(
      client.send(new CreateAliasCommand({ AliasName: 'alias/aws/mine', TargetKeyId: rsaKeyId })),
    ).rejects.toMatchObject({
      name: 'NotAuthorizedException',
    });
    await expect(client.send(new DescribeKeyCommand({ KeyId: 'alias/absent' }))).rejects.toMatchObject({
      name: 'NotFoundException',
    });
  });
});

describe('GetPublicKey', () => {
  it('returns a DER SubjectPublicKeyInfo with the key spec and signing algorithms', async () => {
    const answer = await client.send(new GetPublicKeyCommand({ KeyId: ecKeyId }));
    expect(answer).toMatchObject({
      KeySpec: 'ECC_NIST_P256',
      KeyUsage: 'SIGN_VERIFY',
      SigningAlgorithms: ['ECDSA_SHA_256'],
    });
    const key = createPublicKey({ key: Buffer.from(answer.PublicKey!), format: 'der', type: 'spki' });
    expect(key.asymmetricKeyDetails).toMatchObject({ namedCurve: 'prime256v1' });
  });

  it('answers UnsupportedOperationException for a symmetric key', async () => {
    await expect(client.send(new GetPublicKeyCommand({ KeyId: symmetricKeyId }))).rejects.toMatchObject({
      name: 'UnsupportedOperationException',
    });
  });
});

describe('Sign and Verify', () => {
  const message = text('tbsCertificate bytes stand-in');

  const cases: [string, SigningAlgorithmSpec, () => string, string, object][] = [
    ['P-256', 'ECDSA_SHA_256', () => ecKeyId, 'sha256', { dsaEncoding: 'der' }],
    ['P-384', 'ECDSA_SHA_384', () => p384KeyId, 'sha384', { dsaEncoding: 'der' }],
    [
      'RSA PKCS#1',
      'RSASSA_PKCS1_V1_5_SHA_256',
      () => rsaKeyId,
      'sha256',
      { padding: constants.RSA_PKCS1_PADDING },
    ],
    [
      'RSA PKCS#1',
      'RSASSA_PKCS1_V1_5_SHA_512',
      () => rsaKeyId,
      'sha512',
      { padding: constants.RSA_PKCS1_PADDING },
    ],
    [
      'RSA PSS',
      'RSASSA_PSS_SHA_256',
      () => rsaKeyId,
      'sha256',
      { padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 },
    ],
    [
      'RSA PSS',
      'RSASSA_PSS_SHA_384',
      () => rsaKeyId,
      'sha384',
      { padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 48 },
    ],
  ];

  it.each(cases)(
    '%s %s: RAW and DIGEST signatures verify with Node crypto',
    async (_, algorithm, keyId, hash, options) => {
      const publicKey = await publicKeyOf(keyId());
      const raw = await client.send(
        new SignCommand({ KeyId: keyId(), Message: message, SigningAlgorithm: algorithm }),
      );
      expect(raw.SigningAlgorithm).toBe(algorithm);
      expect(verify(hash, message, { key: publicKey, ...options }, Buffer.from(raw.Signature!))).toBe(true);
      const digest = createHash(hash).update(message).digest();
      const pre = await client.send(
        new SignCommand({
          KeyId: keyId(),
          Message: digest,
          MessageType: 'DIGEST',
          SigningAlgorithm: algorithm,
        }),
      );
      expect(verify(hash, message, { key: publicKey, ...options }, Buffer.from(pre.Signature!))).toBe(true);
      expect(
        verify(hash, text('another message'), { key: publicKey, ...options }, Buffer.from(pre.Signature!)),
      ).toBe(false);
    },
  );

  it.each([
    [
      'P-256',
      () => generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey,
      'ECDSA_SHA_256',
      'sha256',
      { dsaEncoding: 'der' },
    ],
    [
      'P-384',
      () => generateKeyPairSync('ec', { namedCurve: 'P-384' }).privateKey,
      'ECDSA_SHA_384',
      'sha384',
      { dsaEncoding: 'der' },
    ],
    [
      'RSA PKCS#1',
      () => generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey,
      'RSASSA_PKCS1_V1_5_SHA_384',
      'sha384',
      { padding: constants.RSA_PKCS1_PADDING },
    ],
    [
      'RSA PSS',
      () => generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey,
      'RSASSA_PSS_SHA_256',
      'sha256',
      { padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 },
    ],
  ] as const)(
    '%s: Verify accepts signatures made by Node crypto, RAW and DIGEST',
    async (_, makeKey, algorithm, hash, options) => {
      const privateKey = makeKey();
      const keyId = kms.adoptSigningKey(privateKey);
      for (let round = 0; round < 3; round++) {
        const payload = text(`message ${round}`);
        const signature = sign(hash, payload, { key: privateKey, ...options });
        const raw = await client.send(
          new VerifyCommand({
            KeyId: keyId,
            Message: payload,
            Signature: signature,
            SigningAlgorithm: algorithm,
          }),
        );
        expect(raw.SignatureValid).toBe(true);
        const digest = createHash(hash).update(payload).digest();
        const pre = await client.send(
          new VerifyCommand({
            KeyId: keyId,
            Message: digest,
            MessageType: 'DIGEST',
            Signature: signature,
            SigningAlgorithm: algorithm,
          }),
        );
        expect(pre.SignatureValid).toBe(true);
      }
    },
  );

  it('answers KMSInvalidSignatureException for a signature over another message', async () => {
    const signed = await client.send(
      new SignCommand({ KeyId: ecKeyId, Message: message, SigningAlgorithm: 'ECDSA_SHA_256' }),
    );
    for (const MessageType of ['RAW', 'DIGEST'] as const) {
      const other = MessageType === 'RAW' ? text('other') : createHash('sha256').update('other').digest();
      await expect(
        client.send(
          new VerifyCommand({
            KeyId: ecKeyId,
            Message: other,
            MessageType,
            Signature: signed.Signature,
            SigningAlgorithm: 'ECDSA_SHA_256',
          }),
        ),
      ).rejects.toMatchObject({ name: 'KMSInvalidSignatureException' });
    }
    await expect(
      client.send(
        new VerifyCommand({
          KeyId: ecKeyId,
          Message: message,
          Signature: text('not DER'),
          SigningAlgorithm: 'ECDSA_SHA_256',
        }),
      ),
    ).rejects.toMatchObject({ name: 'KMSInvalidSignatureException' });
  });

  it('answers InvalidKeyUsageException for an algorithm the key does not support and for a symmetric key', async () => {
    await expect(
      client.send(
        new SignCommand({ KeyId: ecKeyId, Message: message, SigningAlgorithm: 'RSASSA_PSS_SHA_256' }),
      ),
    ).rejects.toMatchObject({ name: 'InvalidKeyUsageException' });
    await expect(
      client.send(new SignCommand({ KeyId: p384KeyId, Message: message, SigningAlgorithm: 'ECDSA_SHA_256' })),
    ).rejects.toMatchObject({ name: 'InvalidKeyUsageException' });
    await expect(
      client.send(
        new SignCommand({ KeyId: symmetricKeyId, Message: message, SigningAlgorithm: 'ECDSA_SHA_256' }),
      ),
    ).rejects.toMatchObject({ name: 'InvalidKeyUsageException' });
  });

  it('answers ValidationException for a digest of the wrong length and a message over 4096 bytes', async () => {
    await expect(
      client.send(
        new SignCommand({
          KeyId: ecKeyId,
          Message: new Uint8Array(20),
          MessageType: 'DIGEST',
          SigningAlgorithm: 'ECDSA_SHA_256',
        }),
      ),
    ).rejects.toMatchObject({ name: 'ValidationException' });
    await expect(
      client.send(
        new SignCommand({ KeyId: ecKeyId, Message: new Uint8Array(4097), SigningAlgorithm: 'ECDSA_SHA_256' }),
      ),
    ).rejects.toMatchObject({ name: 'ValidationException' });
  });
});

describe('Encrypt, Decrypt and GenerateDataKey', () => {
  const context = { SecretId: 'prod/db', Purpose: 'test' };

  it('round-trips with the encryption context, and Decrypt needs no KeyId', async () => {
    const encrypted = await client.send(
      new EncryptCommand({ KeyId: symmetricKeyId, Plaintext: text('hello'), EncryptionContext: context }),
    );
    expect(encrypted.EncryptionAlgorithm).toBe('SYMMETRIC_DEFAULT');
    const decrypted = await client.send(
      new DecryptCommand({
        CiphertextBlob: encrypted.CiphertextBlob,
        EncryptionContext: { Purpose: 'test', SecretId: 'prod/db' },
      }),
    );
    expect(Buffer.from(decrypted.Plaintext!).toString()).toBe('hello');
    expect(decrypted.KeyId).toContain(symmetricKeyId);
  });

  it('rejects a wrong or missing encryption context and a tampered blob as InvalidCiphertextException', async () => {
    const { CiphertextBlob } = await client.send(
      new EncryptCommand({ KeyId: symmetricKeyId, Plaintext: text('hello'), EncryptionContext: context }),
    );
    await expect(
      client.send(
        new DecryptCommand({ CiphertextBlob, EncryptionContext: { ...context, Purpose: 'other' } }),
      ),
    ).rejects.toMatchObject({ name: 'InvalidCiphertextException' });
    await expect(client.send(new DecryptCommand({ CiphertextBlob }))).rejects.toMatchObject({
      name: 'InvalidCiphertextException',
    });
    const tampered = Buffer.from(CiphertextBlob!);
    tampered[tampered.length - 1]! ^= 0x01;
    await expect(
      client.send(new DecryptCommand({ CiphertextBlob: tampered, EncryptionContext: context })),
    ).rejects.toMatchObject({
      name: 'InvalidCiphertextException',
    });
    await expect(
      client.send(new DecryptCommand({ CiphertextBlob: text('garbage that is not a blob at all, clearly') })),
    ).rejects.toMatchObject({
      name: 'InvalidCiphertextException',
    });
  });

  it('answers IncorrectKeyException when Decrypt names another key', async () => {
    const other = await createKey('SYMMETRIC_DEFAULT', 'ENCRYPT_DECRYPT');
    const { CiphertextBlob } = await client.send(
      new EncryptCommand({ KeyId: symmetricKeyId, Plaintext: text('x') }),
    );
    await expect(client.send(new DecryptCommand({ CiphertextBlob, KeyId: other }))).rejects.toMatchObject({
      name: 'IncorrectKeyException',
    });
  });

  it('answers InvalidKeyUsageException when encrypting with a signing key', async () => {
    await expect(
      client.send(new EncryptCommand({ KeyId: ecKeyId, Plaintext: text('x') })),
    ).rejects.toMatchObject({
      name: 'InvalidKeyUsageException',
    });
  });

  it('generates data keys of the requested size whose blob decrypts to the plaintext', async () => {
    const aes = await client.send(
      new GenerateDataKeyCommand({ KeyId: symmetricKeyId, KeySpec: 'AES_256', EncryptionContext: context }),
    );
    expect(aes.Plaintext).toHaveLength(32);
    const back = await client.send(
      new DecryptCommand({ CiphertextBlob: aes.CiphertextBlob, EncryptionContext: context }),
    );
    expect(Buffer.from(back.Plaintext!).equals(Buffer.from(aes.Plaintext!))).toBe(true);
    const sized = await client.send(new GenerateDataKeyCommand({ KeyId: symmetricKeyId, NumberOfBytes: 64 }));
    expect(sized.Plaintext).toHaveLength(64);
    await expect(
      client.send(
        new GenerateDataKeyCommand({ KeyId: symmetricKeyId, KeySpec: 'AES_128', NumberOfBytes: 16 }),
      ),
    ).rejects.toMatchObject({ name: 'ValidationException' });
    await expect(client.send(new GenerateDataKeyCommand({ KeyId: symmetricKeyId }))).rejects.toMatchObject({
      name: 'ValidationException',
    });
  });

  it('round-trips RSAES_OAEP_SHA_256 with an RSA ENCRYPT_DECRYPT key', async () => {
    const keyId = await createKey('RSA_2048', 'ENCRYPT_DECRYPT');
    const encrypted = await client.send(
      new EncryptCommand({
        KeyId: keyId,
        Plaintext: text('wrapped'),
        EncryptionAlgorithm: 'RSAES_OAEP_SHA_256',
      }),
    );
    const decrypted = await client.send(
      new DecryptCommand({
        KeyId: keyId,
        CiphertextBlob: encrypted.CiphertextBlob,
        EncryptionAlgorithm: 'RSAES_OAEP_SHA_256',
      }),
    );
    expect(Buffer.from(decrypted.Plaintext!).toString()).toBe('wrapped');
  });
});

describe('key state', () => {
  it('answers DisabledException while a key is disabled and works again once enabled', async () => {
    const keyId = await createKey('ECC_NIST_P256', 'SIGN_VERIFY');
    await client.send(new DisableKeyCommand({ KeyId: keyId }));
    expect((await client.send(new DescribeKeyCommand({ KeyId: keyId }))).KeyMetadata).toMatchObject({
      KeyState: 'Disabled',
      Enabled: false,
    });
    await expect(
      client.send(new SignCommand({ KeyId: keyId, Message: text('m'), SigningAlgorithm: 'ECDSA_SHA_256' })),
    ).rejects.toMatchObject({
      name: 'DisabledException',
    });
    await client.send(new EnableKeyCommand({ KeyId: keyId }));
    await expect(
      client.send(new SignCommand({ KeyId: keyId, Message: text('m'), SigningAlgorithm: 'ECDSA_SHA_256' })),
    ).resolves.toBeDefined();
  });

  it('schedules deletion (KMSInvalidStateException on use) and cancels it back to Disabled', async () => {
    const keyId = await createKey('SYMMETRIC_DEFAULT', 'ENCRYPT_DECRYPT');
    const scheduled = await client.send(
      new ScheduleKeyDeletionCommand({ KeyId: keyId, PendingWindowInDays: 7 }),
    );
    expect(scheduled).toMatchObject({ KeyState: 'PendingDeletion', PendingWindowInDays: 7 });
    expect(scheduled.DeletionDate!.getTime()).toBeGreaterThan(Date.now() + 6 * 86_400_000);
    await expect(
      client.send(new EncryptCommand({ KeyId: keyId, Plaintext: text('x') })),
    ).rejects.toMatchObject({
      name: 'KMSInvalidStateException',
    });
    await expect(
      client.send(new ScheduleKeyDeletionCommand({ KeyId: keyId, PendingWindowInDays: 3 })),
    ).rejects.toMatchObject({
      name: 'KMSInvalidStateException',
    });
    await client.send(new CancelKeyDeletionCommand({ KeyId: keyId }));
    expect((await client.send(new DescribeKeyCommand({ KeyId: keyId }))).KeyMetadata!.KeyState).toBe(
      'Disabled',
    );
  });

  it('refuses a deletion window outside 7 to 30 days', async () => {
    await expect(
      client.send(new ScheduleKeyDeletionCommand({ KeyId: symmetricKeyId, PendingWindowInDays: 3 })),
    ).rejects.toMatchObject({
      name: 'ValidationException',
    });
  });
});

describe('denials and faults', () => {
  it('answers AccessDeniedException for a denied operation on one key until the denial is lifted', async () => {
    const keyId = await createKey('ECC_NIST_P256', 'SIGN_VERIFY');
    await client.send(new CreateAliasCommand({ AliasName: 'alias/denied', TargetKeyId: keyId }));
    const lift = kms.deny('Sign', 'alias/denied');
    const denied = client.send(
      new SignCommand({ KeyId: keyId, Message: text('m'), SigningAlgorithm: 'ECDSA_SHA_256' }),
    );
    await expect(denied).rejects.toMatchObject({ name: 'AccessDeniedException' });
    await expect(denied).rejects.toThrow(/kms:Sign/);
    // Other keys and other operations are untouched.
    await expect(
      client.send(new SignCommand({ KeyId: ecKeyId, Message: text('m'), SigningAlgorithm: 'ECDSA_SHA_256' })),
    ).resolves.toBeDefined();
    await expect(client.send(new GetPublicKeyCommand({ KeyId: keyId }))).resolves.toBeDefined();
    lift();
    await expect(
      client.send(new SignCommand({ KeyId: keyId, Message: text('m'), SigningAlgorithm: 'ECDSA_SHA_256' })),
    ).resolves.toBeDefined();
  });

  it('throttles through the generic fault injector', async () => {
    kms.faults.throttle(1, ['DescribeKey']);
    await expect(client.send(new DescribeKeyCommand({ KeyId: ecKeyId }))).rejects.toMatchObject({
      name: 'ThrottlingException',
    });
    await expect(client.send(new DescribeKeyCommand({ KeyId: ecKeyId }))).resolves.toBeDefined();
  });
});
