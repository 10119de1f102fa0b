import { Duration, Tags, Token, Validations } from 'aws-cdk-lib';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as ecs from 'aws-cdk-lib/aws-ecs';
import type * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as targets from 'aws-cdk-lib/aws-scheduler-targets';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { ROTATION_TAGS, type DatabaseEngine, type DatabaseStrategyName } from '../core/contracts/rotation';
import type { RotationWorkflowInput } from '../core/contracts/workflow';
import type { AuditTrail } from './audit-trail';
import { ApiKeyRotation } from './rotation/api-key-rotation';
import { DatabaseRotation } from './rotation/database-rotation';
import type { RotationWorkflow } from './rotation/rotation-workflow';
import type { RotorFunction } from './shared/rotor-function';

/** When a managed secret rotates: EventBridge Scheduler's expressions (rate, cron with a time zone, at). */
export { ScheduleExpression as Schedule } from 'aws-cdk-lib/aws-scheduler';

/** The parts of a Rotor deployment a managed secret joins (a `RotorStack` has them all). */
export interface RotorDeployment {
  readonly rotation: RotationWorkflow;
  readonly audit: AuditTrail;
  /** The scanner's fingerprints of managed secrets, when the deployment keeps them. */
  readonly fingerprints?: { addSecret(secret: secretsmanager.ISecret): unknown };
  /** Watches the secret kind's rotation function, when the deployment has monitoring. */
  readonly monitoring?: { watchFunction(service: string, fn: lambda.IFunction): void };
}

/** A consumer by names or ARNs, for services not defined in this app. */
export interface ConsumerRef {
  readonly cluster: string;
  readonly service: string;
}

/** Where the database is and how to reach it (database kinds). */
export interface ManagedDatabase {
  /** The admin secret that updates the clone user. Required for alternating users. */
  readonly masterSecret?: secretsmanager.ISecret;
  readonly vpc?: ec2.IVpc;
  readonly vpcSubnets?: ec2.SubnetSelection;
  /** The database, to allow the rotation function in on its port. */
  readonly connectable?: ec2.IConnectable;
  /** The RDS instance or cluster ARN the secret names. */
  readonly rdsResourceArn?: string;
}

/** The API key's issuer (kind `api-key`). */
export interface ManagedApiKey {
  readonly iamUser?: iam.IUser;
  readonly adminCredentialSecret?: secretsmanager.ISecret;
  readonly providerConfigSecret?: secretsmanager.ISecret;
}

export interface ManagedSecretProps {
  /** The Rotor deployment that rotates it (its workflow and audit trail). */
  readonly rotor: RotorDeployment;
  /** The secret. Its value follows the kind's format (AWS's RDS JSON for databases). */
  readonly secret: secretsmanager.ISecret;
  readonly kind: DatabaseEngine | 'api-key';
  /** Databases only. @default 'single-user' */
  readonly strategy?: DatabaseStrategyName;
  /** When the workflow rotates it. @default Schedule.rate(Duration.days(30)) */
  readonly schedule?: scheduler.ScheduleExpression;
  /**
   * How far Scheduler may move each run so that a fleet spreads out. @default Duration.hours(1)
   * (`Duration.minutes(0)` for an exact time)
   */
  readonly flexibleWindow?: Duration;
  /**
   * Past this age the daily sweep rotates it and the overdue alarm counts it.
   * @default the schedule's rate plus a day; none for cron and one-time schedules
   */
  readonly overdueAfter?: Duration;
  /** ECS services that read it, beyond those discovery finds through their task definitions. */
  readonly consumers?: ReadonlyArray<ecs.IBaseService | ConsumerRef>;
  /** Clusters that consumer discovery scans. @default every cluster of the account and region */
  readonly consumerClusters?: readonly string[];
  readonly database?: ManagedDatabase;
  readonly apiKey?: ManagedApiKey;
  /** Encrypts the schedule's target input (the secret's ARN, no value). @default AWS owned key */
  readonly scheduleKey?: kms.IKey;
  /** Where Scheduler puts a start of the workflow that failed every retry. @default none */
  readonly deadLetterQueue?: sqs.IQueue;
}

/**
 * A secret that Rotor manages end to end: its rotation function and permissions, the tags the workflow,
 * the sweep and consumer discovery read, and an EventBridge Scheduler schedule that starts the rotation
 * workflow (not Secrets Manager's own schedule: the workflow also refreshes consumers and revokes the
 * previous credential).
 *
 * @example
 *   new ManagedSecret(this, 'OrdersDb', {
 *     rotor, secret: ordersDb.secret!, kind: 'postgres', strategy: 'alternating-users',
 *     schedule: Schedule.rate(Duration.days(30)), consumers: [ordersService],
 *     database: { masterSecret: adminSecret, vpc, connectable: ordersDb },
 *   });
 */
export class ManagedSecret extends Construct {
  readonly rotationFunction: RotorFunction;
  readonly schedule: scheduler.Schedule;

  constructor(scope: Construct, id: string, props: ManagedSecretProps) {
    super(scope, id);
    const { rotor, secret } = props;
    // Rotations run through the workflow only: Secrets Manager gets the function, not a schedule.
    const noSecretsManagerSchedule = {
      automaticallyAfter: Duration.millis(0),
      rotateImmediatelyOnUpdate: false,
    };
    if (props.kind === 'api-key') {
      if (props.strategy) throw new Error(`ManagedSecret ${id}: strategy applies to database kinds only`);
      this.rotationFunction = new ApiKeyRotation(this, 'Rotation', {
        secret,
        ...props.apiKey,
        ...noSecretsManagerSchedule,
        audit: rotor.audit,
        workflow: rotor.rotation,
      }).rotationFunction;
    } else {
      const database = props.database ?? {};
      this.rotationFunction = new DatabaseRotation(this, 'Rotation', {
        secret,
        engine: props.kind,
        strategy: props.strategy ?? 'single-user',
        ...(database.masterSecret ? { masterSecret: database.masterSecret } : {}),
        ...(database.vpc ? { vpc: database.vpc } : {}),
        ...(database.vpcSubnets ? { vpcSubnets: database.vpcSubnets } : {}),
        ...(database.connectable ? { database: database.connectable } : {}),
        ...(database.rdsResourceArn ? { rdsResourceArn: database.rdsResourceArn } : {}),
        ...noSecretsManagerSchedule,
        audit: rotor.audit,
        workflow: rotor.rotation,
      }).rotationFunction;
    }
    rotor.fingerprints?.addSecret(secret);
    rotor.monitoring?.watchFunction(
      props.kind === 'api-key' ? 'rotate-api-key' : 'rotate-database',
      this.rotationFunction.function,
    );
    Validations.of(secret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        "Rotated by Rotor's rotation workflow on an EventBridge Scheduler schedule (ManagedSecret), not by Secrets Manager's own schedule: the workflow also refreshes consumers and revokes the previous credential.",
    });

    const expression = props.schedule ?? scheduler.ScheduleExpression.rate(Duration.days(30));
    const input: RotationWorkflowInput = { secretId: secret.secretArn, reason: 'schedule' };
    const window = props.flexibleWindow ?? Duration.hours(1);
    this.schedule = new scheduler.Schedule(this, 'Schedule', {
      schedule: expression,
      description: `Rotor: rotate ${id} through the rotation workflow`,
      timeWindow:
        window.toMinutes() === 0 ? scheduler.TimeWindow.off() : scheduler.TimeWindow.flexible(window),
      ...(props.scheduleKey ? { key: props.scheduleKey } : {}),
      target: new targets.StepFunctionsStartExecution(rotor.rotation.stateMachine, {
        input: scheduler.ScheduleTargetInput.fromObject(input),
        retryAttempts: 5,
        maxEventAge: Duration.hours(6),
        ...(props.deadLetterQueue ? { deadLetterQueue: props.deadLetterQueue } : {}),
      }),
    });

    const overdue = props.overdueAfter ?? rateOf(expression)?.plus(Duration.days(1));
    if (overdue)
      Tags.of(secret).add(ROTATION_TAGS.intervalDays, String(Math.max(1, Math.ceil(overdue.toHours() / 24))));
    const consumers = (props.consumers ?? []).map(consumerEntry);
    if (consumers.length > 0) Tags.of(secret).add(ROTATION_TAGS.consumers, consumers.join(' '));
    if (props.consumerClusters) {
      Tags.of(secret).add(
        ROTATION_TAGS.consumerClusters,
        props.consumerClusters.length === 0 ? 'none' : props.consumerClusters.join(' '),
      );
    }
  }
}

/** The interval of a `rate(...)` expression; undefined for cron and one-time schedules. */
export function rateOf(expression: scheduler.ScheduleExpression): Duration | undefined {
  const match = /^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$/.exec(expression.expressionString);
  if (!match) return undefined;
  const n = Number(match[1]);
  return match[2]!.startsWith('minute')
    ? Duration.minutes(n)
    : match[2]!.startsWith('hour')
      ? Duration.hours(n)
      : Duration.days(n);
}

/** `cluster/service` as the `rotor:consumers` tag lists it (tokens resolve at deploy time). */
function consumerEntry(consumer: ecs.IBaseService | ConsumerRef): string {
  if ('serviceName' in consumer) return `${consumer.cluster.clusterName}/${consumer.serviceName}`;
  if (!Token.isUnresolved(consumer.service) && consumer.service.startsWith('arn:')) return consumer.service;
  return `${consumer.cluster}/${consumer.service}`;
}
