import { rotate, ROTATION_STEPS } from '../../../../core/rotation/contract';
import { certificateValidityTags } from '../../../../core/rotation/certificate/validity-tags';
import { InvalidSecretError } from '../../../../core/rotation/errors';
import { AWSCURRENT } from '../../../../core/rotation/ports';
import { Sensitive } from '../../../../core/sensitive';
import { decideSecret } from '../../../../core/workflow/sweep';
import { recordCertificateValidity } from '../../../../functions/rotate-certificate/record-validity';
import { certificateRotationFixture } from '../../certificate/rotation-fixture';

const DAY = 86_400_000;

describe('certificateValidityTags', () => {
  it('gives the validity of the certificate a secret holds, as the sweep reads it', async () => {
    const fx = await certificateRotationFixture();
    const value = fx.store.valueAt(fx.secretId, AWSCURRENT)!;
    const issued = JSON.parse(value) as { notBefore: string; notAfter: string };
    expect(certificateValidityTags(Sensitive.of(value), fx.secretId)).toEqual({
      'rotor:not-before': new Date(issued.notBefore).toISOString(),
      'rotor:not-after': new Date(issued.notAfter).toISOString(),
    });
  });

  it('gives nothing for a request-only secret (no certificate issued yet)', () => {
    const request = JSON.stringify({ subject: 'CN=a', subjectAltNames: ['DNS:a'], issuer: 'rotor/ca' });
    expect(certificateValidityTags(Sensitive.of(request), 'tls/a')).toBeUndefined();
  });

  it('refuses a value that is not a certificate secret, naming no value', () => {
    expect(() => certificateValidityTags(Sensitive.of('{"certificate":"x"}'), 'tls/a')).toThrow(
      InvalidSecretError,
    );
  });
});

describe('recordCertificateValidity (after finishSecret)', () => {
  it('tags the secret with the new AWSCURRENT certificate’s validity, which the sweep then renews by', async () => {
    const fx = await certificateRotationFixture();
    const before = JSON.parse(fx.store.valueAt(fx.secretId, AWSCURRENT)!) as { serialNumber: string };
    const token = fx.store.startRotation(fx.secretId);
    for (const step of ROTATION_STEPS) {
      await rotate(
        { Step: step, SecretId: fx.secretId, ClientRequestToken: token },
        { store: fx.store, rotatorFor: () => fx.rotator },
      );
    }
    const current = JSON.parse(fx.store.valueAt(fx.secretId, AWSCURRENT)!) as {
      serialNumber: string;
      notBefore: string;
      notAfter: string;
    };
    expect(current.serialNumber).not.toBe(before.serialNumber);

    const written: Array<[string, Record<string, string>]> = [];
    const ok = await recordCertificateValidity(fx.secretId, {
      store: fx.store,
      tag: async (id, tags) => void written.push([id, tags]),
      warn: () => undefined,
    });
    expect(ok).toBe(true);
    expect(written).toEqual([
      [
        fx.secretId,
        {
          'rotor:not-before': new Date(current.notBefore).toISOString(),
          'rotor:not-after': new Date(current.notAfter).toISOString(),
        },
      ],
    ]);

    // The fixture's profile is 7 days: not due now, due once two thirds have passed.
    const listed = {
      arn: fx.secretId,
      name: 'app/tls',
      rotationEnabled: true,
      rotationLambdaArn: 'arn:aws:lambda:eu-west-1:123456789012:function:rotate-certificate',
      tags: { 'rotor:kind': 'certificate', ...written[0][1] },
    };
    expect(decideSecret(listed, new Date())).toMatchObject({ decision: 'skipped', why: 'not-due' });
    expect(decideSecret(listed, new Date(Date.now() + 5 * DAY))).toMatchObject({
      decision: 'due',
      why: 'renewal-window',
    });
  });

  it('logs and goes on when tagging fails: the rotation stands, and the sweep only renews early', async () => {
    const fx = await certificateRotationFixture();
    const warnings: Array<Record<string, string>> = [];
    const ok = await recordCertificateValidity(fx.secretId, {
      store: fx.store,
      tag: async () => {
        throw Object.assign(new Error('denied'), { name: 'AccessDeniedException' });
      },
      warn: (_message, fields) => void warnings.push(fields),
    });
    expect(ok).toBe(false);
    expect(warnings).toEqual([{ errorName: 'AccessDeniedException' }]);
  });
});
