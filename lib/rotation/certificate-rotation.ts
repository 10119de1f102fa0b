import { Duration, Tags } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { ROTATION_TAGS } from '../../core/contracts/rotation';
import type { AuditTrail } from '../audit-trail';
import type { RotorFunction } from '../shared/rotor-function';
import type { RotationWorkflow } from './rotation-workflow';
import { sharedRotationFunction } from './shared-function';

/** The certificate kind's value of the `rotor:kind` tag. */
const CERTIFICATE_KIND = 'certificate';

export interface CertificateRotationProps {
  /**
   * The certificate secret: the issued certificate and key with `subject`, `subjectAltNames`, `issuer`,
   * `profile` and optionally `acmCertificateArn` (or only those settings, to issue the first certificate).
   */
  readonly secret: secretsmanager.ISecret;
  /** The secret holding the CA record (`rotor ca init`), when Rotor's KMS-backed CA issues. */
  readonly caRecordSecret?: secretsmanager.ISecret;
  /** The CA's asymmetric KMS key (the record's `keyId`); required with `caRecordSecret`. */
  readonly caKey?: kms.IKey;
  /** An ACM Private CA ARN, when ACM PCA issues (instead of `caRecordSecret`). */
  readonly certificateAuthorityArn?: string;
  /** The ACM certificate each new certificate is re-imported into. @default none: ACM is not touched */
  readonly acmCertificateArn?: string;
  /**
   * The leaf lifetime the secret's profile asks for; the schedule is derived from it.
   * @default 30 (the profile's default)
   */
  readonly validityDays?: number;
  /**
   * How often to renew. Secrets Manager rotates on a fixed cadence and a rotation always issues, so the
   * cadence is the renewal point: @default a third of `validityDays` (at least one day)
   */
  readonly automaticallyAfter?: Duration;
  /** Rotate as soon as the schedule is created or changed (issues the first certificate). @default true */
  readonly rotateImmediatelyOnUpdate?: boolean;
  /** Where each rotation step is recorded. @default steps are not audited */
  readonly audit?: AuditTrail;
  /** The rotation workflow that may rotate this secret too (remediation, manual runs). @default only Secrets Manager's schedule */
  readonly workflow?: RotationWorkflow;
}

/**
 * Attaches Rotor's certificate rotation to a certificate secret: the rotation function (one per stack,
 * shared between secrets), least-privilege permissions (kms:Sign and kms:GetPublicKey on the CA key only,
 * read on the CA record, or IssueCertificate/GetCertificate on one ACM Private CA; ImportCertificate and
 * DescribeCertificate on the one ACM certificate), a rotation schedule every third of the validity, and the
 * `rotor:kind=certificate` tag.
 *
 * Why a third of the validity: Secrets Manager's schedule is a fixed cadence and the rotation contract has
 * no "not due yet" outcome (createSecret must store a version), so a daily schedule would issue daily. A
 * cadence of validity/3 renews each certificate at a third of its life, well before the two-thirds point
 * `certificateRenewalDue` uses; the expiry-driven sweep (a later issue) can call that function instead.
 *
 * @example
 *   new CertificateRotation(this, 'ApiTls', {
 *     secret: apiTlsSecret, caRecordSecret: caRecord, caKey,
 *     acmCertificateArn: 'arn:aws:acm:eu-west-1:123456789012:certificate/...', validityDays: 30,
 *   });
 */
export class CertificateRotation extends Construct {
  /** The (shared) rotation function. */
  readonly rotationFunction: RotorFunction;

  constructor(scope: Construct, id: string, props: CertificateRotationProps) {
    super(scope, id);
    const kmsCa = props.caRecordSecret !== undefined;
    if (kmsCa === (props.certificateAuthorityArn !== undefined)) {
      throw new Error(
        `CertificateRotation ${id}: give either caRecordSecret (with caKey) or certificateAuthorityArn`,
      );
    }
    if (kmsCa && !props.caKey) {
      throw new Error(`CertificateRotation ${id}: caRecordSecret needs caKey (the CA's KMS key)`);
    }
    const validityDays = props.validityDays ?? 30;
    const every = props.automaticallyAfter ?? Duration.days(Math.max(1, Math.floor(validityDays / 3)));
    if (every.toHours() * 3 > validityDays * 24 * 2) {
      throw new Error(
        `CertificateRotation ${id}: rotating every ${every.toHumanString()} lets ${validityDays}-day certificates pass two thirds of their life`,
      );
    }

    this.rotationFunction = CertificateRotation.functionFor(this, props);
    const fn = this.rotationFunction.function;

    props.secret.addRotationSchedule('Schedule', {
      rotationLambda: fn,
      automaticallyAfter: every,
      rotateImmediatelyOnUpdate: props.rotateImmediatelyOnUpdate ?? true,
    });
    if (props.caRecordSecret && props.caKey) {
      props.caRecordSecret.grantRead(fn);
      fn.addToRolePolicy(
        new iam.PolicyStatement({
          actions: ['kms:Sign', 'kms:GetPublicKey'],
          resources: [props.caKey.keyArn],
        }),
      );
    }
    if (props.certificateAuthorityArn) {
      fn.addToRolePolicy(
        new iam.PolicyStatement({
          actions: ['acm-pca:IssueCertificate', 'acm-pca:GetCertificate'],
          resources: [props.certificateAuthorityArn],
        }),
      );
    }
    if (props.acmCertificateArn) {
      fn.addToRolePolicy(
        new iam.PolicyStatement({
          actions: ['acm:ImportCertificate', 'acm:DescribeCertificate'],
          resources: [props.acmCertificateArn],
        }),
      );
    }
    props.workflow?.addSecret(props.secret, fn);
    Tags.of(props.secret).add(ROTATION_TAGS.kind, CERTIFICATE_KIND);
  }

  /** The certificate rotation function, created once per stack. */
  static functionFor(scope: Construct, { audit }: Pick<CertificateRotationProps, 'audit'>): RotorFunction {
    return sharedRotationFunction(scope, 'RotateCertificate', {
      name: 'rotate-certificate',
      service: 'rotate-certificate',
      description:
        'Renews TLS certificates from a KMS-backed CA or ACM Private CA (Secrets Manager rotation contract)',
      timeout: Duration.minutes(2),
      audit,
    });
  }
}
