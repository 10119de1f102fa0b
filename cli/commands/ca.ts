import { readFile, writeFile } from 'node:fs/promises';
import {
  CreateSecretCommand,
  PutSecretValueCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { GetPublicKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { Command, Option } from 'commander';
import { kmsSigner } from '../../adapters/kms-signer';
import {
  createIntermediateCsr,
  createRootCaCertificate,
  loadCertificateAuthority,
  splitPem,
} from '../../core/rotation/certificate/authority';
import { buildCaRecord, createCaRecord, type CaRecord } from '../../core/rotation/certificate/ca-record';
import type { SignerAlgorithm } from '../../core/rotation/certificate/signer';
import { UsageError, createOutput, green, type Output } from '../output';

interface InitFlags {
  kmsKey: string;
  subject?: string;
  validityDays: number;
  pathLength: number;
  secret?: string;
  csrOut?: string;
  certificate?: string;
  chain?: string;
  replace?: boolean;
  region?: string;
  json?: boolean;
}

// The signing algorithm each KMS key spec gets (KMS offers several for RSA: PKCS#1 v1.5 is the most compatible).
const ALGORITHM_FOR_SPEC: Readonly<Record<string, SignerAlgorithm>> = {
  ECC_NIST_P256: 'ECDSA_SHA_256',
  ECC_NIST_P384: 'ECDSA_SHA_384',
  RSA_2048: 'RSASSA_PKCS1_V1_5_SHA_256',
  RSA_3072: 'RSASSA_PKCS1_V1_5_SHA_256',
  RSA_4096: 'RSASSA_PKCS1_V1_5_SHA_256',
};

/**
 * `rotor ca init`: a private CA whose key is an existing asymmetric KMS key. Self-signs a root through KMS,
 * or writes an intermediate's CSR (`--csr-out`) and later stores the signed certificate (`--certificate`);
 * the CA record (public) goes into a secret that certificate secrets name as their `issuer`.
 */
export function caCommand(): Command {
  const ca = new Command('ca').description('manage the private certificate authority whose key stays in KMS');
  ca.command('init')
    .description(
      'create a CA from an existing asymmetric KMS key: a self-signed root, or an intermediate (--csr-out, then --certificate)',
    )
    .requiredOption('--kms-key <id>', 'key id, ARN or alias of an asymmetric SIGN_VERIFY KMS key')
    .option('--subject <dn>', 'the CA subject, e.g. "CN=Example Root CA, O=Example"')
    .option(
      '--validity-days <n>',
      'lifetime of a root CA certificate',
      (v) => positiveInt(v, '--validity-days'),
      3650,
    )
    .option(
      '--path-length <n>',
      'CA levels allowed below this CA',
      (v) => nonNegativeInt(v, '--path-length'),
      0,
    )
    .option('--secret <name>', 'the secret to store the CA record in (created, or replaced with --replace)')
    .option('--csr-out <file>', 'write an intermediate CA CSR for another CA to sign, instead of a root')
    .option('--certificate <file>', 'store this signed intermediate certificate (PEM) as the CA')
    .option('--chain <file>', 'with --certificate: the certificates above it (PEM), nearest first')
    .option('--replace', 'replace the CA record if the secret exists (a new AWSCURRENT version)')
    .addOption(new Option('--region <region>', 'the AWS region (default: the SDK default chain)'))
    .option('--json', 'print JSON')
    // Usage mistakes throw (exit code 2 in main) rather than exit: subcommands do not inherit main's override.
    .exitOverride()
    .action(async (flags: InitFlags) => {
      await init(flags, createOutput(Boolean(flags.json)));
    });
  return ca;
}

async function init(flags: InitFlags, out: Output): Promise<void> {
  const modes = [flags.csrOut, flags.certificate].filter((v) => v !== undefined).length;
  if (modes > 1) throw new UsageError('give at most one of --csr-out and --certificate');
  if (flags.chain && !flags.certificate) throw new UsageError('--chain goes with --certificate');
  if (!flags.csrOut && !flags.secret) throw new UsageError('--secret is required to store the CA record');
  if (!flags.certificate && !flags.subject) throw new UsageError('--subject is required');

  const region = flags.region ? { region: flags.region } : {};
  const kms = new KMSClient(region);
  const signer = kmsSigner({
    client: kms,
    keyId: flags.kmsKey,
    algorithm: await algorithmOf(kms, flags.kmsKey),
  });

  if (flags.csrOut) {
    const csr = await createIntermediateCsr(signer, { subject: flags.subject! });
    await writeFile(flags.csrOut, csr);
    out.line(`Wrote the CSR of ${flags.subject} to ${flags.csrOut}: have the parent CA sign it, then run`);
    out.line(
      `  rotor ca init --kms-key ${flags.kmsKey} --certificate <signed.pem> --chain <parents.pem> --secret <name>`,
    );
    out.result({ csr: flags.csrOut, subject: flags.subject });
    return;
  }

  let record: CaRecord;
  if (flags.certificate) {
    const pem = await readText(flags.certificate, '--certificate');
    const chain = flags.chain ? splitPem(await readText(flags.chain, '--chain')).join('\n') : '';
    const authority = await loadCertificateAuthority(signer, pem, chain);
    record = createCaRecord({
      certificate: authority.certificate,
      parents: authority.parents,
      keyId: flags.kmsKey,
      signingAlgorithm: signer.algorithm,
    });
  } else {
    const certificate = await createRootCaCertificate(signer, {
      subject: flags.subject!,
      now: new Date(),
      validityDays: flags.validityDays,
      pathLength: flags.pathLength,
    });
    record = createCaRecord({ certificate, keyId: flags.kmsKey, signingAlgorithm: signer.algorithm });
  }
  const arn = await storeRecord(
    new SecretsManagerClient(region),
    flags.secret!,
    record,
    Boolean(flags.replace),
  );
  out.line(`${green('✓')} CA ${record.subject} stored in ${arn}`);
  out.line(`  key ${record.keyId} (${record.signingAlgorithm}), valid until ${record.notAfter}`);
  out.line(`  certificate secrets name it as their issuer: "issuer": "${flags.secret}"`);
  out.result({
    secretArn: arn,
    subject: record.subject,
    keyId: record.keyId,
    signingAlgorithm: record.signingAlgorithm,
    notAfter: record.notAfter,
  });
}

async function algorithmOf(kms: KMSClient, keyId: string): Promise<SignerAlgorithm> {
  let answer;
  try {
    answer = await kms.send(new GetPublicKeyCommand({ KeyId: keyId }));
  } catch (error) {
    throw new UsageError(`cannot read the public key of KMS key ${keyId} (${(error as Error).name})`);
  }
  if (answer.KeyUsage !== 'SIGN_VERIFY') throw new UsageError(`KMS key ${keyId} is not a SIGN_VERIFY key`);
  const algorithm = ALGORITHM_FOR_SPEC[answer.KeySpec ?? ''];
  if (!algorithm)
    throw new UsageError(`KMS key ${keyId} has key spec ${answer.KeySpec}, which Rotor's CA does not use`);
  return algorithm;
}

async function storeRecord(
  sm: SecretsManagerClient,
  name: string,
  record: CaRecord,
  replace: boolean,
): Promise<string> {
  const value = buildCaRecord(record);
  try {
    const created = await sm.send(
      new CreateSecretCommand({
        Name: name,
        SecretString: value,
        Description: `Rotor CA record: ${record.subject}`,
      }),
    );
    return created.ARN!;
  } catch (error) {
    if ((error as Error).name !== 'ResourceExistsException') throw error;
    if (!replace) {
      throw new UsageError(`the secret ${name} exists: pass --replace to store this CA as its new version`);
    }
    const put = await sm.send(new PutSecretValueCommand({ SecretId: name, SecretString: value }));
    return put.ARN!;
  }
}

async function readText(path: string, flag: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    throw new UsageError(`cannot read ${flag} ${path} (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
  }
}

function positiveInt(value: string, flag: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`${flag} must be a positive whole number`);
  return n;
}

function nonNegativeInt(value: string, flag: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new UsageError(`${flag} must be a whole number, 0 or more`);
  return n;
}
