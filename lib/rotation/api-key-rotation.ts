import { Duration, Tags } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { ROTATION_TAGS } from '../../core/contracts/rotation';
import type { AuditTrail } from '../audit-trail';
import type { RotorFunction } from '../shared/rotor-function';
import type { RotationWorkflow } from './rotation-workflow';
import { sharedRotationFunction } from './shared-function';

/** The `rotor:kind` value of API key secrets. */
const API_KEY_KIND = 'api-key';

export interface ApiKeyRotationProps {
  /**
   * The secret to rotate: `{ provider: 'aws-iam', userName, accessKeyId, secretAccessKey }` for an IAM
   * user, or `{ provider, keyId, apiKey, adminArn, providerConfig | providerConfigArn, ...settings }` for
   * a SaaS key managed through an HTTP admin API.
   */
  readonly secret: secretsmanager.ISecret;
  /** The IAM user whose access keys the secret holds. @default the secret holds no IAM access key */
  readonly iamUser?: iam.IUser;
  /** The secret holding the HTTP provider's admin credential (the secret's `adminArn`). @default none */
  readonly adminCredentialSecret?: secretsmanager.ISecret;
  /** The secret holding the HTTP provider's configuration (the secret's `providerConfigArn`). @default none */
  readonly providerConfigSecret?: secretsmanager.ISecret;
  /** How often to rotate. @default Duration.days(30) */
  readonly automaticallyAfter?: Duration;
  /** Rotate as soon as the schedule is created or changed. @default true */
  readonly rotateImmediatelyOnUpdate?: boolean;
  /** Where each rotation step is recorded. @default steps are not audited */
  readonly audit?: AuditTrail;
  /** The rotation workflow that may rotate this secret too (remediation, manual runs). @default only Secrets Manager's schedule */
  readonly workflow?: RotationWorkflow;
}

/**
 * Attaches Rotor's rotation to an API key secret: the rotation function (one per stack, shared between
 * secrets), least-privilege permissions (this secret and its schedule; for an IAM user, its own access
 * keys only; for an HTTP provider, reading its admin credential and configuration secrets), a rotation
 * schedule, and the `rotor:kind=api-key` tag the function checks.
 *
 * @example
 *   new ApiKeyRotation(this, 'DeployerKeyRotation', { secret: deployerKey, iamUser: deployer });
 *   new ApiKeyRotation(this, 'AcmeKeyRotation', { secret: acmeKey, adminCredentialSecret: acmeAdmin });
 */
export class ApiKeyRotation extends Construct {
  /** The (shared) rotation function. */
  readonly rotationFunction: RotorFunction;

  constructor(scope: Construct, id: string, props: ApiKeyRotationProps) {
    super(scope, id);
    if (!props.iamUser && !props.adminCredentialSecret) {
      throw new Error(
        `ApiKeyRotation ${id}: name the iamUser whose access keys rotate, or the adminCredentialSecret of the HTTP provider`,
      );
    }
    this.rotationFunction = ApiKeyRotation.functionFor(this, props);
    const fn = this.rotationFunction.function;

    // Grants DescribeSecret/GetSecretValue/PutSecretValue/UpdateSecretVersionStage on this secret only,
    // GetRandomPassword, decryption through Secrets Manager, and lets Secrets Manager invoke the function.
    props.secret.addRotationSchedule('Schedule', {
      rotationLambda: fn,
      automaticallyAfter: props.automaticallyAfter ?? Duration.days(30),
      rotateImmediatelyOnUpdate: props.rotateImmediatelyOnUpdate ?? true,
    });
    if (props.iamUser) {
      // The user's own keys only: a key of any other user stays out of reach.
      fn.addToRolePolicy(
        new iam.PolicyStatement({
          actions: [
            'iam:CreateAccessKey',
            'iam:ListAccessKeys',
            'iam:UpdateAccessKey',
            'iam:DeleteAccessKey',
          ],
          resources: [props.iamUser.userArn],
        }),
      );
    }
    props.adminCredentialSecret?.grantRead(fn);
    props.providerConfigSecret?.grantRead(fn);
    props.workflow?.addSecret(props.secret, fn);
    Tags.of(props.secret).add(ROTATION_TAGS.kind, API_KEY_KIND);
  }

  /** The API key rotation function, created once per stack. */
  static functionFor(scope: Construct, { audit }: Pick<ApiKeyRotationProps, 'audit'>): RotorFunction {
    return sharedRotationFunction(scope, 'RotateApiKey', {
      name: 'rotate-api-key',
      service: 'rotate-api-key',
      description: 'Rotates API keys: IAM user access keys and SaaS keys (Secrets Manager rotation contract)',
      // testSecret waits out key propagation (IAM: up to about 40 seconds).
      timeout: Duration.minutes(2),
      audit,
    });
  }
}
