import { Duration, Validations } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import {
  REGISTER_TASK_DEFINITION_EVENT,
  SCAN_ENV,
  TASK_DEFINITION_SCAN_ENV,
} from '../../core/contracts/scanning';
import type { AuditTrail } from '../audit-trail';
import { RotorFunction } from '../shared/rotor-function';

/** Options of the task definition scan. */
export interface TaskDefinitionScanProps {
  /** The audit trail that `scan.finding` records are appended to (chain `TASKDEF#<family>`). */
  readonly audit: AuditTrail;
  /** The findings table to store findings in: `SprawlScanner.findingsTable` (its key, when it has one, is granted). */
  readonly findingsTable: dynamodb.ITable;
  /** Where `Rotor Managed Secret Leaked` goes. @default the account's default bus */
  readonly eventBus?: events.IEventBus;
  /** When the sweep of every family's latest ACTIVE revision runs. @default events.Schedule.rate(Duration.days(1)) */
  readonly sweepSchedule?: events.Schedule;
  /** Whether to sweep on `sweepSchedule`. @default true */
  readonly sweep?: boolean;
  /** Families the sweep scans at once (ECS read calls are rate-limited per account). @default 4 */
  readonly sweepConcurrency?: number;
  /**
   * The managed-secret fingerprint store (`ManagedFingerprints`; pass the scanner's): values of managed
   * secrets are recognised (and announced) and findings are fingerprinted with the deployment's key, so a
   * secret has the same fingerprint in images and in task definitions.
   * @default the built-in rules and the public default fingerprint key
   */
  readonly fingerprints?: ManagedFingerprintsReader;
}

/** What the scan needs of the fingerprint store: its readers' environment and read access (ManagedFingerprints fits). */
export interface ManagedFingerprintsReader {
  readonly environment: Readonly<Record<string, string>>;
  grantRead(grantee: iam.IGrantable): iam.Grant;
}

/** The function's environment variable for the sweep's concurrency (read by functions/scan-task-definition/wiring.ts). */
const SWEEP_CONCURRENCY_ENV = TASK_DEFINITION_SCAN_ENV.sweepConcurrency;

/**
 * Scans ECS task definitions for secrets in their plaintext `environment`:
 *
 *   1. RegisterTaskDefinition, as CloudTrail records it on the default bus, invokes the function for the
 *      new revision. An input transformer passes on identifiers only (event name, id and time, the new
 *      revision's ARN, the family): the event also carries the plaintext environment, which must not
 *      reach the function's input, its retries or its dead-letter queue. The function describes the
 *      revision itself.
 *   2. A daily schedule invokes it with `{ "sweep": true }`: every family's latest ACTIVE revision,
 *      bounded concurrency, within Lambda's 15 minutes, reporting what it did not reach.
 *
 * Findings go to the scanner's findings table (keyed by fingerprint and `<revision ARN>#<container>/<VAR>`),
 * a `scan.finding` audit record per new finding, and `Rotor Managed Secret Leaked` when a value is a
 * managed secret's.
 *
 * @example
 *   const scanner = new SprawlScanner(this, 'Scanner', { audit });
 *   new TaskDefinitionScan(this, 'TaskDefinitions', { audit, findingsTable: scanner.findingsTable });
 */
export class TaskDefinitionScan extends Construct {
  readonly function: RotorFunction;
  readonly registerRule: events.Rule;
  readonly sweepRule?: events.Rule;
  /** Events the function could not take after EventBridge's retries (identifiers only). */
  readonly deadLetterQueue: sqs.Queue;

  constructor(scope: Construct, id: string, props: TaskDefinitionScanProps) {
    super(scope, id);
    const concurrency = props.sweepConcurrency ?? 4;
    if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 20) {
      throw new Error(
        `TaskDefinitionScan: sweepConcurrency must be an integer from 1 to 20 (got ${concurrency})`,
      );
    }
    const bus = props.eventBus ?? events.EventBus.fromEventBusName(this, 'DefaultBus', 'default');

    this.deadLetterQueue = new sqs.Queue(this, 'DeadLetters', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    // One function for both paths: the sweep needs Lambda's maximum; one revision takes seconds.
    this.function = new RotorFunction(this, 'Function', {
      name: 'scan-task-definition',
      service: 'scan-task-definition',
      description: 'Scans ECS task definitions plaintext environment for secrets (on registration and daily)',
      memorySize: 512,
      timeout: Duration.minutes(15),
      deadLetterQueue: this.deadLetterQueue,
      environment: {
        [SCAN_ENV.findingsTable]: props.findingsTable.tableName,
        [SCAN_ENV.eventBusName]: bus.eventBusName,
        [SWEEP_CONCURRENCY_ENV]: String(concurrency),
        ...props.audit.environment,
        ...props.fingerprints?.environment,
      },
    });

    const role = this.function.role;
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['ecs:DescribeTaskDefinition', 'ecs:ListTaskDefinitionFamilies', 'ecs:ListTaskDefinitions'],
        resources: ['*'],
      }),
    );
    Validations.of(role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'ecs:DescribeTaskDefinition, ecs:ListTaskDefinitionFamilies and ecs:ListTaskDefinitions support no resource-level permissions (nor do X-Ray PutTraceSegments/PutTelemetryRecords, from tracing: ACTIVE); all three are read-only.',
    });
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['dynamodb:PutItem', 'dynamodb:UpdateItem'],
        resources: [props.findingsTable.tableArn],
      }),
    );
    props.findingsTable.encryptionKey?.grant(role, 'kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey');
    props.audit.grantAppend(this.function.function);
    props.fingerprints?.grantRead(this.function.function);
    bus.grantPutEventsTo(this.function.function);

    const target = (input: events.RuleTargetInput) =>
      new targets.LambdaFunction(this.function.function, {
        event: input,
        deadLetterQueue: this.deadLetterQueue,
        retryAttempts: 8,
        maxEventAge: Duration.hours(24),
      });
    const field = (path: string) => events.EventField.fromPath(path);
    this.registerRule = new events.Rule(this, 'RegisterRule', {
      description: 'Rotor: scan every newly registered ECS task definition revision for plaintext secrets',
      eventPattern: {
        source: [REGISTER_TASK_DEFINITION_EVENT.source],
        detailType: [REGISTER_TASK_DEFINITION_EVENT.detailType],
        detail: {
          eventSource: [REGISTER_TASK_DEFINITION_EVENT.eventSource],
          eventName: [REGISTER_TASK_DEFINITION_EVENT.eventName],
          errorCode: events.Match.doesNotExist(),
        },
      },
      targets: [
        target(
          events.RuleTargetInput.fromObject({
            source: REGISTER_TASK_DEFINITION_EVENT.source,
            'detail-type': REGISTER_TASK_DEFINITION_EVENT.detailType,
            detail: {
              eventName: field('$.detail.eventName'),
              eventID: field('$.detail.eventID'),
              eventTime: field('$.detail.eventTime'),
              responseElements: {
                taskDefinition: {
                  taskDefinitionArn: field('$.detail.responseElements.taskDefinition.taskDefinitionArn'),
                },
              },
              requestParameters: { family: field('$.detail.requestParameters.family') },
            },
          }),
        ),
      ],
    });

    if (props.sweep ?? true) {
      this.sweepRule = new events.Rule(this, 'SweepSchedule', {
        description: 'Rotor: sweep the latest ACTIVE revision of every ECS task definition family',
        schedule: props.sweepSchedule ?? events.Schedule.rate(Duration.days(1)),
        targets: [target(events.RuleTargetInput.fromObject({ sweep: true }))],
      });
    }
  }
}
