import { Duration, Validations, Tags } from 'aws-cdk-lib';
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
   * A fixed renewal cadence through Secrets Manager's own schedule (a rotation always issues, so the cadence is
   * the renewal point). @default with `workflow`: none, the daily sweep (`RotationSweep`) renews by expiry;
   * without it: a third of `validityDays` (at least one day)
   */
  readonly automaticallyAfter?: Duration;
  /**
   * Renew this many days before notAfter instead of at two thirds of the lifetime (the sweep reads it from the
   * `rotor:renew-before-days` tag). @default two thirds of the lifetime
   */
  readonly renewBeforeDays?: number;
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
 * DescribeCertificate on the one ACM certificate, TagResource of the two validity tags on the secret), and
 * the `rotor:kind=certificate` tag.
 *
 * Renewal follows expiry: after finishSecret the function tags the secret with the new certificate's
 * `rotor:not-before`/`rotor:not-after`, and the daily sweep (`RotationSweep`) starts the workflow once two
 * thirds of the lifetime (or `renewBeforeDays`) have passed, with a per-secret jitter. Given `workflow`, the
 * secret therefore gets no Secrets Manager schedule (the function is attached, and the first certificate is
 * issued at once): a fixed schedule counts from Secrets Manager's own LastRotatedDate, which the workflow does
 * not move, so it would renew on a cadence of its own beside the sweep. Without `workflow` (no sweep can
 * rotate it) the fixed cadence stays: every third of the validity, since the rotation contract has no "not
 * due yet" outcome and every rotation issues.
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
    // Renewal by expiry (the sweep) when the workflow can rotate the secret: Secrets Manager's schedule
    // counts from its own LastRotatedDate, which the workflow's rotations do not move, so a schedule beside
    // the sweep would issue certificates on a cadence of its own. Duration 0: attached, never scheduled.
    const bySweep = props.workflow !== undefined && props.automaticallyAfter === undefined;
    const every = bySweep
      ? Duration.days(0)
      : (props.automaticallyAfter ?? Duration.days(Math.max(1, Math.floor(validityDays / 3))));
    if (props.renewBeforeDays !== undefined) {
      if (
        !Number.isInteger(props.renewBeforeDays) ||
        props.renewBeforeDays < 1 ||
        props.renewBeforeDays >= validityDays
      ) {
        throw new Error(
          `CertificateRotation ${id}: renewBeforeDays must be a whole number of days within the ${validityDays}-day validity`,
        );
      }
    }
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
    if (bySweep) {
      Validations.of(props.secret).acknowledge({
        id: 'AwsSolutions-SMG4',
        reason:
          "Renewed by expiry through Rotor's rotation workflow, started by the daily RotationSweep, not on Secrets Manager's fixed schedule.",
      });
    }
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
    // After finishSecret the function records the new certificate's validity, which the sweep renews by:
    // these two tags only.
    fn.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['secretsmanager:TagResource'],
        resources: [props.secret.secretFullArn ?? `${props.secret.secretArn}-??????`],
        conditions: {
          'ForAllValues:StringEquals': { 'aws:TagKeys': [ROTATION_TAGS.notBefore, ROTATION_TAGS.notAfter] },
        },
      }),
    );
    props.workflow?.addSecret(props.secret, fn);
    Tags.of(props.secret).add(ROTATION_TAGS.kind, CERTIFICATE_KIND);
    if (props.renewBeforeDays !== undefined) {
      Tags.of(props.secret).add(ROTATION_TAGS.renewBeforeDays, String(props.renewBeforeDays));
    }
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
