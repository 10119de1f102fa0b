import { Duration, Validations } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { CertificateRotation } from '../../lib/rotation/certificate-rotation';
import { ManagedSecret, Schedule } from '../../lib/managed-secret';
import type { RotorStack } from '../../lib/rotor-stack';

/** The id of the demo database secret `rotor local` adds to the stack. */
export const DEMO_SECRET_ID = 'LocalDemoOrdersDb';
/** The id of the demo API key secret. */
export const DEMO_API_KEY_ID = 'LocalDemoBillingKey';
/** The id of the demo certificate secret. */
export const DEMO_CERTIFICATE_ID = 'LocalDemoPaymentsTls';

/**
 * What `rotor local` adds to the stack before it synthesizes it, exactly as a user would: a database secret
 * and an API key brought under Rotor with `ManagedSecret` (no VPC: the throwaway database listens on
 * loopback), each with a service that reads it, and a TLS certificate from a private CA whose key is in KMS.
 */
export function addDemoSecrets(stack: RotorStack): void {
  new ManagedSecret(stack, DEMO_SECRET_ID, {
    rotor: stack,
    secret: new secretsmanager.Secret(stack, `${DEMO_SECRET_ID}Secret`, {
      secretName: 'demo/orders-db',
      description: 'rotor local: the orders database user, rotated by Rotor',
    }),
    kind: 'postgres',
    schedule: Schedule.rate(Duration.days(30)),
    consumers: [{ cluster: 'demo', service: 'orders-web' }],
  });
  const admin = new secretsmanager.Secret(stack, `${DEMO_API_KEY_ID}Admin`, {
    secretName: 'demo/billing-admin',
    description: 'rotor local: the billing SaaS admin token that issues and revokes keys',
  });
  Validations.of(admin).acknowledge({
    id: 'AwsSolutions-SMG4',
    reason:
      'The SaaS admin token is issued and rotated by the SaaS owner; Rotor only reads it to rotate the key.',
  });
  new ManagedSecret(stack, DEMO_API_KEY_ID, {
    rotor: stack,
    secret: new secretsmanager.Secret(stack, `${DEMO_API_KEY_ID}Secret`, {
      secretName: 'demo/billing-key',
      description: 'rotor local: the billing API key, rotated by Rotor',
    }),
    kind: 'api-key',
    apiKey: { adminCredentialSecret: admin },
    schedule: Schedule.rate(Duration.days(7)),
  });

  // A private CA whose key stays in KMS (the record, public, in a secret) and a certificate it issues.
  const caKey = new kms.Key(stack, `${DEMO_CERTIFICATE_ID}CaKey`, {
    keySpec: kms.KeySpec.ECC_NIST_P256,
    keyUsage: kms.KeyUsage.SIGN_VERIFY,
    description: 'rotor local: the demo CA key (signs, never leaves KMS)',
  });
  const caRecord = new secretsmanager.Secret(stack, `${DEMO_CERTIFICATE_ID}CaRecord`, {
    secretName: 'demo/ca',
    description: 'rotor local: the demo CA certificate and its KMS key id (public; rotor ca init)',
  });
  Validations.of(caRecord).acknowledge({
    id: 'AwsSolutions-SMG4',
    reason:
      'A CA record is public (a certificate and a key id); the CA is renewed with rotor ca init, not rotated.',
  });
  new CertificateRotation(stack, DEMO_CERTIFICATE_ID, {
    secret: new secretsmanager.Secret(stack, `${DEMO_CERTIFICATE_ID}Secret`, {
      secretName: 'demo/payments-tls',
      description: 'rotor local: the payments service TLS certificate, renewed by Rotor',
    }),
    caRecordSecret: caRecord,
    caKey,
    validityDays: 30,
    audit: stack.audit,
    workflow: stack.rotation,
  });
}
