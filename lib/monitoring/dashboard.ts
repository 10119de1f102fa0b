import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type { Construct } from 'constructs';
import { ROTOR_METRICS } from '../../core/contracts/metrics';
import type { AuditTrail } from '../audit-trail';
import type { RotationWorkflow } from '../rotation/rotation-workflow';
import type { SprawlScanner } from '../scanning/scanner';
import { FINDING_SEVERITIES, findingsMetric, rotorMetric } from './metrics';

/** What the dashboard draws. */
export interface DashboardSources {
  readonly dashboardName: string;
  readonly rotation: RotationWorkflow;
  readonly scanner: SprawlScanner;
  readonly audit: AuditTrail;
  readonly functions: Readonly<Record<string, lambda.IFunction>>;
  readonly alarms: readonly cloudwatch.IAlarm[];
}

const HOUR = Duration.hours(1);
const DAY = Duration.days(1);

/**
 * Rotor's dashboard, a row per concern: the alarms first, then rotations (done, failed, consumers stuck,
 * overdue), scanning (new findings stacked by severity, managed leaks, failed scans), the audit trail
 * (chains verified and broken, ingest dead letters) and the functions (errors, throttles).
 */
export function buildDashboard(scope: Construct, id: string, src: DashboardSources): RotorDashboard {
  const graph = (
    title: string,
    left: cloudwatch.IMetric[],
    extra: Partial<cloudwatch.GraphWidgetProps> = {},
  ) => new cloudwatch.GraphWidget({ title, left, width: 8, height: 6, ...extra });
  const sum = (ref: (typeof ROTOR_METRICS)[keyof typeof ROTOR_METRICS], label: string, period = HOUR) =>
    rotorMetric(ref, { period, label });
  const machineOutcomes = (m: { metricSucceeded: Fn; metricFailed: Fn; metricTimedOut: Fn }) => [
    m.metricSucceeded({ period: HOUR, statistic: cloudwatch.Stats.SUM, label: 'succeeded' }),
    m.metricFailed({ period: HOUR, statistic: cloudwatch.Stats.SUM, label: 'failed' }),
    m.metricTimedOut({ period: HOUR, statistic: cloudwatch.Stats.SUM, label: 'timed out' }),
  ];
  const fns = Object.entries(src.functions);

  const dashboard = new cloudwatch.Dashboard(scope, id, {
    dashboardName: src.dashboardName,
    defaultInterval: Duration.days(7),
  });
  dashboard.addWidgets(
    new cloudwatch.AlarmStatusWidget({
      title: 'Alarms (each description is the first line of its runbook)',
      alarms: [...src.alarms],
      width: 24,
      height: 4,
      sortBy: cloudwatch.AlarmStatusWidgetSortBy.STATE_UPDATED_TIMESTAMP,
    }),
  );
  dashboard.addWidgets(
    graph('Rotations', [
      sum(ROTOR_METRICS.rotationSucceeded, 'succeeded'),
      sum(ROTOR_METRICS.rotationFailed, 'failed'),
      sum(ROTOR_METRICS.consumerRefreshFailed, 'consumers did not move'),
    ]),
    graph('Rotation workflow executions', machineOutcomes(src.rotation.stateMachine)),
    graph('Overdue secrets (daily sweep)', [
      rotorMetric(ROTOR_METRICS.overdueSecrets, {
        period: DAY,
        statistic: cloudwatch.Stats.MAXIMUM,
        label: 'overdue',
      }),
      sum(ROTOR_METRICS.sweepStarted, 'rotations started by the sweep', DAY),
    ]),
  );
  dashboard.addWidgets(
    graph(
      'New findings by severity',
      FINDING_SEVERITIES.map((severity) => findingsMetric(severity, HOUR)),
      { stacked: true },
    ),
    graph('Managed secrets leaked', [
      sum(ROTOR_METRICS.managedSecretLeaks, 'managed secrets found in images'),
      sum(ROTOR_METRICS.taskDefinitionManagedLeaks, 'managed secrets in task definitions'),
      sum(ROTOR_METRICS.taskDefinitionFindings, 'new findings in task definitions'),
    ]),
    graph('Scan workflow executions', machineOutcomes(src.scanner.stateMachine)),
  );
  dashboard.addWidgets(
    graph('Audit chains verified', [sum(ROTOR_METRICS.auditChainsVerified, 'chains verified')]),
    graph(
      'Audit chains broken',
      [
        rotorMetric(ROTOR_METRICS.brokenAuditChains, {
          period: HOUR,
          statistic: cloudwatch.Stats.MAXIMUM,
          label: 'broken',
        }),
      ],
      { leftAnnotations: [{ value: 1, label: 'any break is an incident', color: cloudwatch.Color.RED }] },
    ),
    graph(
      'Audit ingest dead letters',
      src.audit.ingestDeadLetterQueue
        ? [
            src.audit.ingestDeadLetterQueue.metricApproximateNumberOfMessagesVisible({
              period: Duration.minutes(5),
              statistic: cloudwatch.Stats.MAXIMUM,
              label: 'messages waiting',
            }),
          ]
        : [],
    ),
  );
  const errors = graph(
    'Function errors',
    fns.map(([service, fn]) => functionErrors(service, fn)),
    { width: 12 },
  );
  const throttles = graph(
    'Function throttles',
    fns.map(([service, fn]) => functionThrottles(service, fn)),
    { width: 12 },
  );
  dashboard.addWidgets(errors, throttles);
  return {
    dashboard,
    // Functions that join later (a secret kind's rotation function) get their lines here.
    addFunction: (service, fn) => {
      errors.addLeftMetric(functionErrors(service, fn));
      throttles.addLeftMetric(functionThrottles(service, fn));
    },
  };
}

/** The dashboard, and how to show one more function on it. */
export interface RotorDashboard {
  readonly dashboard: cloudwatch.Dashboard;
  addFunction(service: string, fn: lambda.IFunction): void;
}

const functionErrors = (service: string, fn: lambda.IFunction) =>
  fn.metricErrors({ period: Duration.minutes(5), statistic: cloudwatch.Stats.SUM, label: service });
const functionThrottles = (service: string, fn: lambda.IFunction) =>
  fn.metricThrottles({ period: Duration.minutes(5), statistic: cloudwatch.Stats.SUM, label: service });

type Fn = (props?: cloudwatch.MetricOptions) => cloudwatch.Metric;
