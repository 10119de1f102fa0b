import { type Duration, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import type { AuditTrail } from '../audit-trail';
import type { RotationWorkflow } from '../rotation/rotation-workflow';
import type { SprawlScanner } from '../scanning/scanner';
import { AuditVerification } from './audit-verification';
import { buildDashboard, type RotorDashboard } from './dashboard';
import { auditAlarms, functionAlarm, rotationAlarms, scanningAlarms, type AlarmSpec } from './alarms';
import type { Severity } from '../../core/contracts/scanning';

/** What `Monitoring` watches and how. */
export interface MonitoringProps {
  readonly audit: AuditTrail;
  readonly rotation: RotationWorkflow;
  readonly scanner: SprawlScanner;
  /**
   * Where alarms (and their return to OK) are published. An encrypted topic passed in must let
   * `cloudwatch.amazonaws.com` use its key (kms:Decrypt, kms:GenerateDataKey*).
   * @default the rotation workflow's topic: the one place on-call subscribes to; its key is granted to CloudWatch
   */
  readonly alarmTopic?: sns.ITopic;
  /** How often the recent verification of the audit chains runs. @default Duration.hours(1) */
  readonly verifySchedule?: Duration;
  /** When the full verification of every chain runs. @default Sundays at 03:00 UTC */
  readonly fullVerifySchedule?: events.Schedule;
  /** Append an `audit.verified` record per verification run (grants append). @default false: read-only */
  readonly recordVerifications?: boolean;
  /** New findings of these severities raise an alarm. @default ['critical', 'high'] */
  readonly alarmSeverities?: readonly Severity[];
  /** How often the rotation sweep runs: two intervals without its report raise an alarm. @default Duration.days(1) */
  readonly sweepInterval?: Duration;
  /**
   * Alarm when the sweep stops reporting. Turn off only while no sweep is deployed (it would alarm at once).
   * @default true
   */
  readonly watchSweep?: boolean;
  /** More functions to watch for errors and throttles, by service name (the rotation functions, the sweep). */
  readonly functions?: Readonly<Record<string, lambda.IFunction>>;
  /** @default the stack's name */
  readonly dashboardName?: string;
}

/**
 * Rotor's monitoring: a CloudWatch dashboard, alarms whose descriptions say what broke and what to do, and
 * the scheduled verification of the audit chains. Every Rotor metric is read exactly as its function emits
 * it (namespace `Rotor`, dimension `service`, see core/contracts/metrics.ts).
 *
 * Missing data is chosen per alarm: where silence means "nothing happened" (no rotation, no scan) it is
 * not breaching; where silence means "the check stopped" (the verification, the sweep) a dedicated alarm
 * breaches on it; a broken audit chain keeps its alarm until a full pass finds every chain intact.
 *
 * @example
 *   new Monitoring(this, 'Monitoring', { audit, rotation, scanner, verifySchedule: Duration.hours(1) });
 */
export class Monitoring extends Construct {
  readonly dashboard: cloudwatch.Dashboard;
  readonly verification: AuditVerification;
  readonly alarmTopic: sns.ITopic;
  /** Every alarm, by id (`RotationFailed`, `AuditChainBroken`, `ScanLayerFunctionFailing`...). */
  readonly alarms: Readonly<Record<string, cloudwatch.Alarm>>;
  readonly #alarms: Record<string, cloudwatch.Alarm> = {};
  readonly #watched = new Set<string>();
  #action!: actions.SnsAction;
  #dashboard!: RotorDashboard;

  constructor(scope: Construct, id: string, props: MonitoringProps) {
    super(scope, id);
    const stack = Stack.of(this);
    this.verification = new AuditVerification(this, 'AuditVerification', {
      audit: props.audit,
      every: props.verifySchedule,
      fullSchedule: props.fullVerifySchedule,
      recordRuns: props.recordVerifications,
    });
    this.alarmTopic = props.alarmTopic ?? props.rotation.topic;
    if (!props.alarmTopic) {
      // CloudWatch publishes to the encrypted topic only if it may use the topic's key.
      props.rotation.topic.masterKey?.grant(
        new iam.ServicePrincipal('cloudwatch.amazonaws.com'),
        'kms:Decrypt',
        'kms:GenerateDataKey*',
      );
    }

    const functions = this.#watchedFunctions(props);
    const specs = [
      ...rotationAlarms(props),
      ...scanningAlarms(props),
      ...auditAlarms(props, this.verification),
      // audit-verify has its own, stricter alarm (AuditVerificationFailed).
      ...Object.entries(functions)
        .filter(([service]) => service !== 'audit-verify')
        .map(([service, fn]) => functionAlarm(service, fn)),
    ];
    this.#action = new actions.SnsAction(this.alarmTopic);
    const alarms = this.#alarms;
    for (const spec of specs) this.#addAlarm(spec);
    for (const service of Object.keys(functions)) this.#watched.add(service);
    this.alarms = alarms;

    this.#dashboard = buildDashboard(this, 'Dashboard', {
      dashboardName: props.dashboardName ?? stack.stackName,
      rotation: props.rotation,
      scanner: props.scanner,
      audit: props.audit,
      functions,
      alarms: Object.values(alarms),
    });
    this.dashboard = this.#dashboard.dashboard;
  }

  /**
   * Watches a function that joins after Rotor was composed (the rotation function of a secret kind, added by
   * ManagedSecret): an errors-and-throttles alarm and its lines on the dashboard. Once per service.
   */
  watchFunction(service: string, fn: lambda.IFunction): void {
    if (this.#watched.has(service)) return;
    this.#watched.add(service);
    this.#addAlarm(functionAlarm(service, fn));
    this.#dashboard.addFunction(service, fn);
  }

  #addAlarm(spec: AlarmSpec): void {
    const alarm = new cloudwatch.Alarm(this, spec.id, {
      alarmName: `${Stack.of(this).stackName}-${spec.id}`,
      alarmDescription: spec.description,
      metric: spec.metric,
      threshold: spec.threshold ?? 1,
      comparisonOperator: spec.comparison ?? cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: spec.evaluationPeriods ?? 1,
      datapointsToAlarm: spec.datapointsToAlarm ?? spec.evaluationPeriods ?? 1,
      treatMissingData: spec.treatMissingData,
    });
    alarm.addAlarmAction(this.#action);
    alarm.addOkAction(this.#action);
    this.#alarms[spec.id] = alarm;
  }

  #watchedFunctions(props: MonitoringProps): Record<string, lambda.IFunction> {
    return {
      'rotation-control': props.rotation.control.function,
      'scan-resolve': props.scanner.resolveFunction.function,
      'scan-layer': props.scanner.scanLayerFunction.function,
      'scan-merge': props.scanner.mergeFunction.function,
      ...(props.audit.ingest ? { 'audit-ingest': props.audit.ingest.function } : {}),
      'audit-verify': this.verification.function.function,
      ...props.functions,
    };
  }
}
