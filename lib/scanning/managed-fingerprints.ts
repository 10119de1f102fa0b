import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import {
  FINGERPRINT_KEY_SECRET,
  MANAGED_ENV,
  MANAGED_FINGERPRINTS_TABLE,
} from '../../core/contracts/managed';
import { RotorFunction } from '../shared/rotor-function';

/** Options of the managed-secret fingerprint store. */
export interface ManagedFingerprintsProps {
  /** Encrypts the table and the key secret. @default a new customer-managed key with rotation on */
  readonly encryptionKey?: kms.IKey;
  /**
   * The characters the database rotation functions exclude from passwords (their
   * `ROTOR_PASSWORD_EXCLUDE_CHARACTERS`), so records get the same alphabet. @default Rotor's default policy
   */
  readonly passwordExcludeCharacters?: string;
  /** @default RemovalPolicy.RETAIN */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * Where Rotor keeps what it needs to recognise its own secrets in images without holding them: a DynamoDB
 * table of keyed HMAC records of the AWSCURRENT and AWSPREVIOUS values of each managed secret, the HMAC key
 * (a Secrets Manager secret generated at deploy time, encrypted with a customer-managed key), and the
 * `update-fingerprints` function that the rotation workflow calls after finishSecret with
 * `{ "secretId": "<name or ARN>" }`. The scanner's functions read the table and the key (`grantRead`).
 *
 * @example
 *   const fingerprints = new ManagedFingerprints(this, 'Fingerprints');
 *   fingerprints.addSecret(databaseSecret);
 *   new SprawlScanner(this, 'Scanner', { audit, fingerprints });
 */
export class ManagedFingerprints extends Construct {
  readonly table: dynamodb.Table;
  /** The HMAC key: 64 letters and digits, from which the scan keys are derived. Not rotated (see README). */
  readonly key: secretsmanager.Secret;
  readonly encryptionKey: kms.IKey;
  /** The writer: `{ secretId }` in, `{ secretId, records, skipped }` out. */
  readonly updater: RotorFunction;
  /** What a reader's environment needs (the table's name and the key secret's ARN). */
  readonly environment: Readonly<Record<string, string>>;

  constructor(scope: Construct, id: string, props: ManagedFingerprintsProps = {}) {
    super(scope, id);
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    this.encryptionKey =
      props.encryptionKey ??
      new kms.Key(this, 'EncryptionKey', {
        description: 'Rotor managed-secret fingerprints: the record table and the HMAC key',
        enableKeyRotation: true,
        removalPolicy: RemovalPolicy.RETAIN,
      });
    this.table = new dynamodb.Table(this, 'Table', {
      partitionKey: { name: MANAGED_FINGERPRINTS_TABLE.partitionKey, type: dynamodb.AttributeType.STRING },
      sortKey: { name: MANAGED_FINGERPRINTS_TABLE.sortKey, type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      encryption: dynamodb.TableEncryption.CUSTOMER_MANAGED,
      encryptionKey: this.encryptionKey,
      removalPolicy,
    });
    this.key = new secretsmanager.Secret(this, 'Key', {
      description: 'Rotor: the HMAC key of managed-secret records and finding fingerprints',
      encryptionKey: this.encryptionKey,
      generateSecretString: {
        passwordLength: FINGERPRINT_KEY_SECRET.length,
        excludePunctuation: true,
        includeSpace: false,
      },
      removalPolicy,
    });
    Validations.of(this.key).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'The fingerprint key is not rotated: a new key invalidates every stored record and finding fingerprint at once. It never leaves the scanner functions and the writer, and protects HMACs, not access.',
    });
    this.environment = {
      [MANAGED_ENV.table]: this.table.tableName,
      [MANAGED_ENV.keySecret]: this.key.secretArn,
    };

    this.updater = new RotorFunction(this, 'Updater', {
      name: 'update-fingerprints',
      service: 'update-fingerprints',
      description:
        'Stores keyed HMAC records of the AWSCURRENT and AWSPREVIOUS values of a managed secret for the scanner',
      timeout: Duration.seconds(30),
      environment: {
        ...this.environment,
        ...(props.passwordExcludeCharacters === undefined
          ? {}
          : { [MANAGED_ENV.excludeCharacters]: props.passwordExcludeCharacters }),
      },
    });
    this.updater.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['dynamodb:Query', 'dynamodb:PutItem', 'dynamodb:DeleteItem', 'dynamodb:UpdateItem'],
        resources: [this.table.tableArn],
      }),
    );
    this.encryptionKey.grant(this.updater.role, 'kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey');
    this.#grantKeySecret(this.updater.role);
  }

  /** Lets the updater read this secret (DescribeSecret, GetSecretValue, and its KMS key's Decrypt). */
  addSecret(secret: secretsmanager.ISecret): iam.Grant {
    return secret.grantRead(this.updater.role);
  }

  /** Lets a scan function read every record and the HMAC key. */
  grantRead(grantee: iam.IGrantable): iam.Grant {
    return iam.Grant.addToPrincipal({
      grantee,
      actions: ['dynamodb:GetItem', 'dynamodb:Scan'],
      resourceArns: [this.table.tableArn],
    })
      .combine(this.encryptionKey.grant(grantee, 'kms:Decrypt'))
      .combine(this.#grantKeySecret(grantee));
  }

  /** Lets a function read only the set's version (the scan workflow's Resolve): GetItem, no key. */
  grantReadVersion(grantee: iam.IGrantable): iam.Grant {
    return iam.Grant.addToPrincipal({
      grantee,
      actions: ['dynamodb:GetItem'],
      resourceArns: [this.table.tableArn],
    }).combine(this.encryptionKey.grant(grantee, 'kms:Decrypt'));
  }

  #grantKeySecret(grantee: iam.IGrantable): iam.Grant {
    return iam.Grant.addToPrincipal({
      grantee,
      actions: ['secretsmanager:GetSecretValue'],
      resourceArns: [this.key.secretArn],
    });
  }
}
