import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { AUDIT_ENV, AUDIT_TABLE } from '../core/contracts/audit-table';
import { AUDITED_SECRETS_MANAGER_CALLS } from '../core/contracts/cloudtrail';
import { RotorFunction } from './shared/rotor-function';

export interface AuditTrailProps {
  /** The key that encrypts the table, its dead-letter queue and the idempotency table. @default a new customer-managed key with rotation on */
  readonly encryptionKey?: kms.IKey;
  /** Records expire after this many days (DynamoDB TTL on `expiresAt`). @default undefined: kept forever */
  readonly retentionDays?: number;
  /** @default RemovalPolicy.RETAIN */
  readonly removalPolicy?: RemovalPolicy;
  /** Record Secrets Manager API calls seen by CloudTrail (needs a trail in the account). @default true */
  readonly ingestCloudTrail?: boolean;
}

/**
 * The tamper-evident audit trail: one DynamoDB table of hash-chained records (partition by subject, sorted
 * by sequence and so by time; indexes by subject and time, by event type and time, by actor and time),
 * and the ingest of Secrets Manager API calls recorded by CloudTrail.
 *
 * @example
 *   const audit = new AuditTrail(this, 'Audit', { retentionDays: 400 });
 *   audit.grantAppend(rotationFunction);
 */
export class AuditTrail extends Construct {
  readonly table: dynamodb.Table;
  readonly encryptionKey: kms.IKey;
  readonly retentionDays?: number;
  readonly ingest?: RotorFunction;
  readonly ingestDeadLetterQueue?: sqs.Queue;

  constructor(scope: Construct, id: string, props: AuditTrailProps = {}) {
    super(scope, id);
    if (props.retentionDays !== undefined && !(props.retentionDays >= 1)) {
      throw new Error(`AuditTrail: retentionDays must be at least 1 (got ${props.retentionDays})`);
    }
    this.retentionDays = props.retentionDays;
    this.encryptionKey =
      props.encryptionKey ??
      new kms.Key(this, 'Key', {
        description: 'Rotor audit trail',
        enableKeyRotation: true,
        removalPolicy: RemovalPolicy.RETAIN,
      });

    this.table = new dynamodb.Table(this, 'Table', {
      partitionKey: { name: AUDIT_TABLE.partitionKey, type: dynamodb.AttributeType.STRING },
      sortKey: { name: AUDIT_TABLE.sortKey, type: dynamodb.AttributeType.NUMBER },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: true,
      encryption: dynamodb.TableEncryption.CUSTOMER_MANAGED,
      encryptionKey: this.encryptionKey,
      timeToLiveAttribute: props.retentionDays ? AUDIT_TABLE.ttlAttribute : undefined,
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
    });
    const byTime = (name: string, partition: string) =>
      this.table.addGlobalSecondaryIndex({
        indexName: name,
        partitionKey: { name: partition, type: dynamodb.AttributeType.STRING },
        sortKey: { name: AUDIT_TABLE.timeAttribute, type: dynamodb.AttributeType.STRING },
        projectionType: dynamodb.ProjectionType.ALL,
      });
    byTime(AUDIT_TABLE.indexes.bySubjectTime, AUDIT_TABLE.partitionKey);
    byTime(AUDIT_TABLE.indexes.byType, AUDIT_TABLE.typeAttribute);
    byTime(AUDIT_TABLE.indexes.byActor, AUDIT_TABLE.actorAttribute);

    if (props.ingestCloudTrail ?? true) {
      const { ingest, deadLetters } = this.#ingestCloudTrail(props.removalPolicy);
      this.ingest = ingest;
      this.ingestDeadLetterQueue = deadLetters;
    }
  }

  /** The environment a function needs to append to or read the trail. */
  get environment(): Record<string, string> {
    return {
      [AUDIT_ENV.tableName]: this.table.tableName,
      ...(this.retentionDays ? { [AUDIT_ENV.retentionDays]: String(this.retentionDays) } : {}),
    };
  }

  /**
   * Lets the grantee append records: read the chain's head (Query, GetItem) and insert (PutItem). No
   * UpdateItem, DeleteItem or index access: an appender cannot rewrite history through the API it is given.
   */
  grantAppend(grantee: iam.IGrantable): iam.Grant {
    return iam.Grant.addToPrincipal({
      grantee,
      actions: ['dynamodb:PutItem', 'dynamodb:Query', 'dynamodb:GetItem'],
      resourceArns: [this.table.tableArn],
    }).combine(
      this.encryptionKey.grant(
        grantee,
        'kms:Encrypt',
        'kms:Decrypt',
        'kms:GenerateDataKey',
        'kms:DescribeKey',
      ),
    );
  }

  /** Lets the grantee read and verify the trail: the table and its indexes, no writes. */
  grantRead(grantee: iam.IGrantable): iam.Grant {
    const table = iam.Grant.addToPrincipal({
      grantee,
      actions: ['dynamodb:Query', 'dynamodb:GetItem', 'dynamodb:Scan', 'dynamodb:DescribeTable'],
      resourceArns: [this.table.tableArn, `${this.table.tableArn}/index/*`],
    });
    return table.combine(this.encryptionKey.grant(grantee, 'kms:Decrypt', 'kms:DescribeKey'));
  }

  #ingestCloudTrail(removalPolicy?: RemovalPolicy): { ingest: RotorFunction; deadLetters: sqs.Queue } {
    const deadLetters = new sqs.Queue(this, 'IngestDeadLetters', {
      encryption: sqs.QueueEncryption.KMS,
      encryptionMasterKey: this.encryptionKey,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    // EventBridge must be able to encrypt what it dead-letters with the customer-managed key.
    this.encryptionKey.grant(
      new iam.ServicePrincipal('events.amazonaws.com'),
      'kms:Encrypt',
      'kms:GenerateDataKey',
      'kms:Decrypt',
    );

    const idempotency = new dynamodb.Table(this, 'IngestIdempotency', {
      partitionKey: { name: 'id', type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      encryption: dynamodb.TableEncryption.CUSTOMER_MANAGED,
      encryptionKey: this.encryptionKey,
      timeToLiveAttribute: 'expiration',
      // Holds only which CloudTrail events were ingested, for a day: nothing to keep.
      removalPolicy: removalPolicy ?? RemovalPolicy.DESTROY,
    });

    const ingest = new RotorFunction(this, 'Ingest', {
      name: 'audit-ingest',
      service: 'audit-ingest',
      description: 'Appends Secrets Manager API calls recorded by CloudTrail to the audit trail',
      timeout: Duration.seconds(30),
      deadLetterQueue: deadLetters,
      environment: { ...this.environment, [AUDIT_ENV.idempotencyTableName]: idempotency.tableName },
    });
    this.grantAppend(ingest.function);
    idempotency.grant(
      ingest.function,
      'dynamodb:PutItem',
      'dynamodb:GetItem',
      'dynamodb:UpdateItem',
      'dynamodb:DeleteItem',
    );

    const rule = new events.Rule(this, 'SecretsManagerCalls', {
      description:
        'Secrets Manager API calls recorded by CloudTrail, read-only ones and failed ones included',
      eventPattern: {
        source: ['aws.secretsmanager'],
        detailType: ['AWS API Call via CloudTrail'],
        detail: {
          eventSource: ['secretsmanager.amazonaws.com'],
          eventName: [...AUDITED_SECRETS_MANAGER_CALLS],
        },
      },
      targets: [
        new targets.LambdaFunction(ingest.function, {
          deadLetterQueue: deadLetters,
          retryAttempts: 8,
          maxEventAge: Duration.hours(24),
        }),
      ],
    });
    // Read-only calls (GetSecretValue) reach EventBridge only on a rule in this state.
    (rule.node.defaultChild as events.CfnRule).state = 'ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS';

    return { ingest, deadLetters };
  }
}
