import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { Command, Option } from 'commander';
import { caRecordTrustAnchor, parseCaRecord } from '../../core/rotation/certificate/ca-record';
import { CertificateVerificationError } from '../../core/rotation/certificate/errors';
import { parseCertificateProfile } from '../../core/rotation/certificate/profile';
import { certificateRenewalDue } from '../../core/rotation/certificate/rotator';
import {
  issuerReference,
  parseCertificateRotationSecret,
  requestedNames,
  type CertificateRotationSecret,
} from '../../core/rotation/certificate/rotation-secret';
import { splitPem } from '../../core/rotation/certificate/authority';
import { verifyCertificateSecret } from '../../core/rotation/certificate/verify';
import { X509Certificate } from '../../core/rotation/certificate/x509';
import { UsageError, createOutput, green, red, yellow } from '../output';

const DAY_MS = 86_400_000;

/** What `rotor cert show` reports: public fields only, never the private key. */
export interface CertificateReport {
  readonly secret: string;
  readonly subject: string;
  readonly subjectAltNames: readonly string[];
  /** The issuing CA's subject DN, as the certificate names it. */
  readonly issuer: string;
  /** The secret's issuer reference: a CA record secret or an ACM Private CA ARN. */
  readonly issuerReference: string;
  readonly serialNumber: string;
  readonly notBefore: string;
  readonly notAfter: string;
  readonly daysLeft: number;
  readonly renewalDueAt: string;
  /** `valid`, or the failed check with its reason. */
  readonly chain:
    | { readonly status: 'valid' }
    | { readonly status: 'invalid'; readonly check: string; readonly reason: string };
  readonly acmCertificateArn?: string;
}

/** `rotor cert`: inspect certificate secrets. */
export function certCommand(): Command {
  const cert = new Command('cert').description('inspect TLS certificate secrets');
  cert
    .command('show')
    .description(
      'subject, SANs, issuer, serial, validity, days left and chain status; exits 1 if the chain does not verify or the certificate expired',
    )
    .argument('<secret>', 'the certificate secret (name or ARN)')
    .addOption(new Option('--region <region>', 'the AWS region (default: the SDK default chain)'))
    .option('--json', 'print JSON')
    // Usage mistakes throw (exit code 2 in main) rather than exit: subcommands do not inherit main's override.
    .exitOverride()
    .action(async (secretId: string, flags: { region?: string; json?: boolean }) => {
      const out = createOutput(Boolean(flags.json));
      const sm = new SecretsManagerClient(flags.region ? { region: flags.region } : {});
      const report = await showCertificate(sm, secretId, new Date());
      out.result(report);
      out.line(`${report.subject}  (${secretId})`);
      out.line(`  SANs         ${report.subjectAltNames.join(', ')}`);
      out.line(`  issuer       ${report.issuer}  [${report.issuerReference}]`);
      out.line(`  serial       ${report.serialNumber}`);
      out.line(`  valid        ${report.notBefore} .. ${report.notAfter}`);
      const left = `${report.daysLeft} days left`;
      out.line(
        `  expires in   ${report.daysLeft <= 0 ? red('expired') : report.daysLeft < 7 ? yellow(left) : left}`,
      );
      out.line(`  renewal due  ${report.renewalDueAt}`);
      if (report.acmCertificateArn) out.line(`  ACM          ${report.acmCertificateArn}`);
      out.line(
        `  chain        ${report.chain.status === 'valid' ? green('valid') : red(`invalid (${report.chain.check}): ${report.chain.reason}`)}`,
      );
      if (report.chain.status !== 'valid' || report.daysLeft <= 0) process.exitCode = 1;
    });
  return cert;
}

/** Reads a certificate secret (and its CA record) and checks its chain. */
export async function showCertificate(
  sm: SecretsManagerClient,
  secretId: string,
  now: Date,
): Promise<CertificateReport> {
  const value = await readSecret(sm, secretId);
  let secret: CertificateRotationSecret;
  try {
    secret = parseCertificateRotationSecret(value, { secretId });
  } catch (error) {
    throw new UsageError(`${secretId} is not a certificate secret: ${(error as Error).message}`);
  }
  const issued = secret.issued;
  if (!issued)
    throw new UsageError(`${secretId} holds a certificate request only: no certificate is issued yet`);
  const leaf = new X509Certificate(issued.certificate);
  const chain = await checkChain(sm, secret, now);
  return {
    secret: secretId,
    subject: leaf.subject,
    subjectAltNames: issued.subjectAltNames,
    issuer: leaf.issuer,
    issuerReference: secret.issuer,
    serialNumber: issued.serialNumber,
    notBefore: issued.notBefore,
    notAfter: issued.notAfter,
    daysLeft: Math.floor((Date.parse(issued.notAfter) - now.getTime()) / DAY_MS),
    renewalDueAt: certificateRenewalDue(value, now, secretId).dueAt.toISOString(),
    chain,
    ...(secret.acmCertificateArn ? { acmCertificateArn: secret.acmCertificateArn } : {}),
  };
}

async function checkChain(
  sm: SecretsManagerClient,
  secret: CertificateRotationSecret,
  now: Date,
): Promise<CertificateReport['chain']> {
  const issued = secret.issued!;
  const reference = issuerReference(secret.issuer);
  // The root the rotation trusts: the CA record's (itself or the end of its chain), or ACM PCA's chain end.
  const anchor =
    reference.type === 'kms-ca'
      ? caRecordTrustAnchor(parseCaRecord(await readSecret(sm, reference.caSecretId), reference.caSecretId))
      : splitPem(issued.chain).at(-1);
  if (!anchor) return { status: 'invalid', check: 'chain', reason: 'the secret holds no chain' };
  try {
    await verifyCertificateSecret(issued, {
      caCertificatePem: anchor,
      now,
      profile: parseCertificateProfile(secret.profile),
      expected: requestedNames(secret.subjectAltNames),
    });
    return { status: 'valid' };
  } catch (error) {
    if (!(error instanceof CertificateVerificationError)) throw error;
    return { status: 'invalid', check: String(error.context.check), reason: error.message };
  }
}

async function readSecret(sm: SecretsManagerClient, secretId: string): Promise<string> {
  try {
    const answer = await sm.send(new GetSecretValueCommand({ SecretId: secretId }));
    if (answer.SecretString === undefined) throw new UsageError(`${secretId} holds no string value`);
    return answer.SecretString;
  } catch (error) {
    if (error instanceof UsageError) throw error;
    throw new UsageError(`cannot read the secret ${secretId} (${(error as Error).name})`);
  }
}
