import { Duration, Stack, Validations } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import { Construct } from 'constructs';
import type { AuditTrail } from '../audit-trail';
import { RotorFunction } from '../shared/rotor-function';
import type { AuditVerifyInput } from '../../core/contracts/audit-table';

/** The trail to verify and the schedules. */
export interface AuditVerificationProps {
  readonly audit: AuditTrail;
  /**
   * How often the recent pass runs (chains appended to since twice this interval). From 5 minutes to a day.
   * @default Duration.hours(1)
   */
  readonly every?: Duration;
  /** When the full pass runs (every chain from its first record). @default Sundays at 03:00 UTC */
  readonly fullSchedule?: events.Schedule;
  /**
   * Append an `audit.verified` record per run to `SYSTEM#audit-verify`. Needs append rights on the trail
   * (PutItem); without it the function can only read. @default false
   */
  readonly recordRuns?: boolean;
}

/**
 * The scheduled verification of the audit chains: the `audit-verify` function, a recent pass on a rate
 * and a full pass weekly. The function reads the trail (Query, Scan, GetItem, Decrypt) and writes to it
 * nothing unless `recordRuns`.
 *
 * @example
 *   new AuditVerification(this, 'Verify', { audit, every: Duration.hours(1) });
 */
export class AuditVerification extends Construct {
  readonly function: RotorFunction;
  /** The recent pass's interval: the monitoring alarms on two of them without a run. */
  readonly every: Duration;
  readonly recentRule: events.Rule;
  readonly fullRule: events.Rule;

  constructor(scope: Construct, id: string, props: AuditVerificationProps) {
    super(scope, id);
    this.every = props.every ?? Duration.hours(1);
    const minutes = this.every.toMinutes();
    if (!Number.isInteger(minutes) || minutes < 5 || minutes > 1440) {
      throw new Error(`AuditVerification: every must be whole minutes from 5 to 1440 (got ${minutes})`);
    }
    const record = props.recordRuns ?? false;

    this.function = new RotorFunction(this, 'Function', {
      name: 'audit-verify',
      service: 'audit-verify',
      description:
        'Verifies the audit hash chains (recent ones on a rate, all weekly) and reports broken links',
      // A full pass reads the whole table; Lambda's limit is its limit (see docs: a Map over pages beyond).
      timeout: Duration.minutes(15),
      memorySize: 512,
      environment: props.audit.environment,
    });
    props.audit.grantRead(this.function.function);
    const table = Stack.of(this).resolve(
      (props.audit.table.node.defaultChild as dynamodb.CfnTable).logicalId,
    );
    Validations.of(this.function.role).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${table}.Arn>/index/*]`,
      reason:
        "Reading the audit table's indexes (the recent pass queries by-type), read-only, through AuditTrail.grantRead.",
    });
    if (record) props.audit.grantAppend(this.function.function);

    const run = (input: AuditVerifyInput) =>
      new targets.LambdaFunction(this.function.function, {
        event: events.RuleTargetInput.fromObject({ ...input, record }),
        retryAttempts: 2,
        maxEventAge: Duration.hours(1),
      });
    this.recentRule = new events.Rule(this, 'RecentPass', {
      description: 'Rotor: verify the audit chains appended to lately',
      schedule: events.Schedule.rate(this.every),
      targets: [run({ mode: 'recent', lookbackMinutes: 2 * minutes })],
    });
    this.fullRule = new events.Rule(this, 'FullPass', {
      description: 'Rotor: verify every audit chain from its first record',
      schedule: props.fullSchedule ?? events.Schedule.cron({ weekDay: 'SUN', hour: '3', minute: '0' }),
      targets: [run({ mode: 'full' })],
    });
  }
}
