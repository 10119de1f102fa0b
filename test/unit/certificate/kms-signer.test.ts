import { generateKeyPairSync, createHash, verify } from 'node:crypto';
import { GetPublicKeyCommand, KMSClient, SignCommand } from '@aws-sdk/client-kms';
import { mockClient } from 'aws-sdk-client-mock';
import { kmsSigner } from '../../../adapters/kms-signer';
import { SignerDeniedError, SignerUnavailableError } from '../../../core/rotation/certificate/errors';

const kms = mockClient(KMSClient);
const keys = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const spki = new Uint8Array(keys.publicKey.export({ type: 'spki', format: 'der' }));
const kmsError = (name: string) => Object.assign(new Error(`${name} from KMS`), { name });

beforeEach(() => kms.reset());

describe('kmsSigner', () => {
  it('fetches the public key once and caches it', async () => {
    kms
      .on(GetPublicKeyCommand)
      .resolves({ PublicKey: spki, SigningAlgorithms: ['ECDSA_SHA_256'], KeySpec: 'ECC_NIST_P256' });
    const signer = kmsSigner({ client: new KMSClient({}), keyId: 'alias/rotor-ca' });
    expect(await signer.publicKeySpki()).toEqual(spki);
    await signer.publicKeySpki();
    expect(kms.commandCalls(GetPublicKeyCommand)).toHaveLength(1);
  });

  it('sends the SHA-256 digest as a DIGEST message by default, and the message itself with RAW', async () => {
    kms.on(SignCommand).resolves({ Signature: new Uint8Array([1, 2, 3]) });
    const data = new TextEncoder().encode('tbs');
    await kmsSigner({ client: new KMSClient({}), keyId: 'k' }).sign(data);
    await kmsSigner({ client: new KMSClient({}), keyId: 'k', messageType: 'RAW' }).sign(data);
    const [digest, raw] = kms.commandCalls(SignCommand).map((call) => call.args[0].input);
    expect(digest).toMatchObject({ KeyId: 'k', MessageType: 'DIGEST', SigningAlgorithm: 'ECDSA_SHA_256' });
    expect(Buffer.from(digest!.Message!)).toEqual(createHash('sha256').update(data).digest());
    expect(raw).toMatchObject({ MessageType: 'RAW', Message: data });
  });

  it('returns the KMS signature unchanged', async () => {
    const { sign } = await import('node:crypto');
    const signature = sign('sha256', Buffer.from('tbs'), { key: keys.privateKey, dsaEncoding: 'der' });
    kms.on(SignCommand).resolves({ Signature: new Uint8Array(signature) });
    const out = await kmsSigner({ client: new KMSClient({}), keyId: 'k' }).sign(
      new TextEncoder().encode('tbs'),
    );
    expect(verify('sha256', Buffer.from('tbs'), { key: keys.publicKey, dsaEncoding: 'der' }, out)).toBe(true);
  });

  it.each(['AccessDeniedException', 'DisabledException', 'KMSInvalidStateException'])(
    'turns %s into SignerDeniedError',
    async (code) => {
      kms.on(SignCommand).rejects(kmsError(code));
      const failure = kmsSigner({ client: new KMSClient({}), keyId: 'alias/rotor-ca' }).sign(
        new Uint8Array([1]),
      );
      await expect(failure).rejects.toThrow(SignerDeniedError);
      await expect(failure).rejects.toMatchObject({
        context: { keyId: 'alias/rotor-ca', kmsError: code, operation: 'Sign' },
      });
    },
  );

  it('turns throttling into a retryable SignerUnavailableError', async () => {
    kms.on(SignCommand).rejects(kmsError('ThrottlingException'));
    const failure = kmsSigner({ client: new KMSClient({}), keyId: 'k' }).sign(new Uint8Array([1]));
    await expect(failure).rejects.toThrow(SignerUnavailableError);
    await expect(failure).rejects.toMatchObject({ retryable: true });
  });

  it('refuses a key that does not offer the configured algorithm, and does not cache failures', async () => {
    kms
      .on(GetPublicKeyCommand)
      .resolvesOnce({ PublicKey: spki, SigningAlgorithms: ['RSASSA_PSS_SHA_256'] })
      .resolves({ PublicKey: spki, SigningAlgorithms: ['ECDSA_SHA_256'] });
    const signer = kmsSigner({ client: new KMSClient({}), keyId: 'k' });
    await expect(signer.publicKeySpki()).rejects.toThrow(/does not support ECDSA_SHA_256/);
    await expect(signer.publicKeySpki()).resolves.toEqual(spki);
  });
});
