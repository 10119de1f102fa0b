import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import { newFindingsBySeverityMetric, ROTOR_METRICS } from '../../core/contracts/metrics';
import type { AuditVerification } from './audit-verification';
import { rotorMetric } from './metrics';
import type { MonitoringProps } from './monitoring';

/**
 * One alarm, as data: what it watches, when it fires, what missing data means, and its description, which
 * is the first line of its runbook (what broke, then what to do). README.md has the table of them all.
 */
export interface AlarmSpec {
  readonly id: string;
  readonly metric: cloudwatch.IMetric;
  readonly description: string;
  /** @default 1, compared `>=` */
  readonly threshold?: number;
  readonly comparison?: cloudwatch.ComparisonOperator;
  /** @default 1 */
  readonly evaluationPeriods?: number;
  readonly datapointsToAlarm?: number;
  readonly treatMissingData: cloudwatch.TreatMissingData;
}

const FIVE_MINUTES = Duration.minutes(5);

/** Rotations: failures, stuck consumers, the workflow itself, overdue secrets and a silent sweep. */
export function rotationAlarms(props: MonitoringProps): AlarmSpec[] {
  const machine = props.rotation.stateMachine;
  const sweepDays = props.sweepInterval ?? Duration.days(1);
  const sweepHours = sweepDays.toHours({ integral: false });
  if (!Number.isInteger(sweepHours) || sweepHours < 1 || sweepHours > 24) {
    throw new Error(`Monitoring: sweepInterval must be whole hours from 1 to 24 (got ${sweepHours} h)`);
  }
  const specs: AlarmSpec[] = [
    {
      id: 'RotationFailed',
      metric: rotorMetric(ROTOR_METRICS.rotationFailed, { period: FIVE_MINUTES }),
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      description:
        'A secret rotation failed and was rolled back (RotationFailed from rotation-control): AWSCURRENT is unchanged and still works. ' +
        "Find the secret and the cause with `rotor audit list --type rotation.outcome --since 1h` (or the rotation state machine's failed executions), " +
        'fix it (database reachable? admin secret valid?) and start the rotation again.',
    },
    {
      id: 'ConsumerRefreshFailed',
      metric: rotorMetric(ROTOR_METRICS.consumerRefreshFailed, { period: FIVE_MINUTES }),
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      description:
        'ECS services that consume a rotated secret did not roll out (ConsumerRefreshFailed from rotation-control). ' +
        'The previous credential was not revoked, so they keep working on it. Read which services with `rotor audit list --type rotation.consumers --since 1h`, ' +
        'fix their deployment (ECS service events: failing tasks or health checks) and redeploy; then rotate again so the previous credential is retired.',
    },
    {
      id: 'RotationWorkflowFailed',
      metric: new cloudwatch.MathExpression({
        expression: 'failed + timedOut',
        label: 'rotation executions failed or timed out',
        usingMetrics: {
          failed: machine.metricFailed({ period: FIVE_MINUTES, statistic: cloudwatch.Stats.SUM }),
          timedOut: machine.metricTimedOut({ period: FIVE_MINUTES, statistic: cloudwatch.Stats.SUM }),
        },
        period: FIVE_MINUTES,
      }),
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      description:
        'Executions of the rotation workflow failed or timed out (Step Functions ExecutionsFailed + ExecutionsTimedOut). ' +
        'A rotation that rolled back raises RotationFailed too: start there. Without it the workflow itself broke: open the failed execution in the ' +
        'Step Functions console, read the failing state and its error; a timed-out one may leave its lock until the lock expires.',
    },
    {
      id: 'SecretsOverdue',
      metric: rotorMetric(ROTOR_METRICS.overdueSecrets, {
        period: sweepDays,
        statistic: cloudwatch.Stats.MAXIMUM,
      }),
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      description:
        'Managed secrets are overdue for rotation (OverdueSecrets from rotation-sweep; the value is how many). Their rotations did not run or keep failing. ' +
        "The sweep's log names them and why it skipped any; check RotationFailed, fix the cause and rotate them. RotationSweepStalled covers a sweep that stopped.",
    },
  ];
  if (props.watchSweep ?? true) {
    specs.push({
      id: 'RotationSweepStalled',
      metric: rotorMetric(ROTOR_METRICS.overdueSecrets, {
        period: sweepDays,
        statistic: cloudwatch.Stats.SAMPLE_COUNT,
      }),
      comparison: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
      evaluationPeriods: 2,
      treatMissingData: cloudwatch.TreatMissingData.BREACHING,
      description:
        'The rotation sweep has not reported for two of its intervals (no OverdueSecrets data from rotation-sweep): overdue secrets go unnoticed and unrotated. ' +
        "Check the rotation-sweep function's errors and logs and that its schedule rule is enabled.",
    });
  }
  return specs;
}

/** Scanning: new findings of the alarming severities, managed leaks, failed scans. */
export function scanningAlarms(props: MonitoringProps): AlarmSpec[] {
  const machines = [props.scanner.stateMachine, props.scanner.rescanStateMachine].filter(
    (m) => m !== undefined,
  );
  const usingMetrics: Record<string, cloudwatch.IMetric> = {};
  machines.forEach((m, i) => {
    usingMetrics[`failed${i}`] = m.metricFailed({ period: FIVE_MINUTES, statistic: cloudwatch.Stats.SUM });
    usingMetrics[`timedOut${i}`] = m.metricTimedOut({
      period: FIVE_MINUTES,
      statistic: cloudwatch.Stats.SUM,
    });
  });
  const severities = props.alarmSeverities ?? ['critical', 'high'];
  return [
    ...severities.map((severity): AlarmSpec => ({
      id: newFindingsBySeverityMetric(severity).name,
      metric: rotorMetric(newFindingsBySeverityMetric(severity), { period: FIVE_MINUTES }),
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      description:
        `New ${severity}-severity secrets were found in container images (${newFindingsBySeverityMetric(severity).name} from scan-merge). ` +
        'List them with `rotor audit list --type scan.finding --since 1h` (image, layer, path and rule; never the value). ' +
        'Revoke or rotate each leaked credential at its issuer, remove it from the image build, rebuild and delete the leaking images.',
    })),
    {
      id: 'ManagedSecretLeaked',
      metric: rotorMetric(ROTOR_METRICS.managedSecretLeaks, { period: FIVE_MINUTES }),
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      description:
        'A live secret that Rotor manages was found in a container image (ManagedSecretLeaks from scan-merge); remediation starts a rotation at once. ' +
        'Confirm it rotated (`rotor audit list --type remediation --since 1h`, then the rotation workflow execution), then remove the secret from the image build and delete the leaking images.',
    },
    {
      id: 'ScanWorkflowFailed',
      metric: new cloudwatch.MathExpression({
        expression: Object.keys(usingMetrics).join(' + '),
        label: 'scan executions failed or timed out',
        usingMetrics,
        period: FIVE_MINUTES,
      }),
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      description:
        'Image scans failed or timed out (Step Functions ExecutionsFailed + ExecutionsTimedOut of the scan and rescan workflows): pushed images went unscanned. ' +
        'Open a failed execution in the Step Functions console for the failing state and its error (registry access, a Lambda timeout on a huge layer); the weekly rescan retries.',
    },
  ];
}

/** The audit trail: broken chains, a verification that stopped or failed, ingest dead letters. */
export function auditAlarms(props: MonitoringProps, verification: AuditVerification): AlarmSpec[] {
  const every = verification.every;
  const specs: AlarmSpec[] = [
    {
      id: 'AuditChainBroken',
      metric: rotorMetric(ROTOR_METRICS.brokenAuditChains, {
        period: every,
        statistic: cloudwatch.Stats.MAXIMUM,
      }),
      // A recent pass reports only breaks it sees; a full pass reports 0 when all is intact. Keeping
      // the state while data is missing means only a clean full pass clears the alarm.
      treatMissingData: cloudwatch.TreatMissingData.IGNORE,
      description:
        'An audit hash chain is broken: a record was changed, deleted, inserted or reordered (BrokenChains from audit-verify). Treat it as a security incident. ' +
        "The audit-verify log lines 'audit chain broken' name each chain, the sequence number and the kind of break. Do not write to the table; compare the records with a " +
        'point-in-time-recovery restore and find who wrote them (CloudTrail data events). The alarm clears only after a full pass finds every chain intact: invoke audit-verify with {"mode":"full"}.',
    },
    {
      id: 'AuditVerificationStalled',
      metric: rotorMetric(ROTOR_METRICS.auditChainsVerified, {
        period: every,
        statistic: cloudwatch.Stats.SAMPLE_COUNT,
      }),
      comparison: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
      evaluationPeriods: 2,
      treatMissingData: cloudwatch.TreatMissingData.BREACHING,
      description:
        'The audit chains have not been verified for two scheduled runs (no ChainsVerified data from audit-verify): tampering would go unnoticed. ' +
        "Check the audit-verify function's errors (a full pass timing out on a large trail, DynamoDB throttling) and that its schedule rules are enabled.",
    },
  ];
  const verify = verification.function.function;
  specs.push({
    id: 'AuditVerificationFailed',
    metric: new cloudwatch.MathExpression({
      expression: 'errors + throttles',
      label: 'audit-verify errors and throttles',
      usingMetrics: {
        errors: verify.metricErrors({ period: every, statistic: cloudwatch.Stats.SUM }),
        throttles: verify.metricThrottles({ period: every, statistic: cloudwatch.Stats.SUM }),
      },
      period: every,
    }),
    // One failed run is enough: the weekly full pass runs once, and a timeout (a trail grown too large
    // for one invocation) would otherwise pass unnoticed while the hourly passes keep the stall alarm quiet.
    treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    description:
      'A verification run of the audit chains failed (Lambda Errors + Throttles of audit-verify): the chains it was to check are unverified. ' +
      "Read the audit-verify log group's 'invocation failed' lines. A full pass that timed out means the trail outgrew one 15-minute invocation: " +
      'run `rotor audit verify` from a machine meanwhile, and split the full pass (see lib/monitoring/README.md).',
  });
  const deadLetters = props.audit.ingestDeadLetterQueue;
  if (deadLetters) {
    specs.push({
      id: 'AuditIngestDeadLetters',
      metric: deadLetters.metricApproximateNumberOfMessagesVisible({
        period: FIVE_MINUTES,
        statistic: cloudwatch.Stats.MAXIMUM,
      }),
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      description:
        'Secrets Manager API calls recorded by CloudTrail could not be appended to the audit trail and wait in the audit-ingest dead-letter queue: the trail is missing them. ' +
        "Read the audit-ingest function's 'invocation failed' log lines, fix the cause, then re-invoke audit-ingest with each message's body and delete the message.",
    });
  }
  return specs;
}

/** A function failing or throttled in two of three five-minute periods: not one transient error. */
export function functionAlarm(service: string, fn: lambda.IFunction): AlarmSpec {
  const id = `${service
    .split('-')
    .map((part) => part[0]!.toUpperCase() + part.slice(1))
    .join('')}FunctionFailing`;
  return {
    id,
    metric: new cloudwatch.MathExpression({
      expression: 'errors + throttles',
      label: `${service} errors and throttles`,
      usingMetrics: {
        errors: fn.metricErrors({ period: FIVE_MINUTES, statistic: cloudwatch.Stats.SUM }),
        throttles: fn.metricThrottles({ period: FIVE_MINUTES, statistic: cloudwatch.Stats.SUM }),
      },
      period: FIVE_MINUTES,
    }),
    evaluationPeriods: 3,
    datapointsToAlarm: 2,
    treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    description:
      `The ${service} function is failing or throttled (Lambda Errors + Throttles in 2 of 3 five-minute periods). ` +
      `Read its log group for 'invocation failed' lines (error class and safe context); throttles mean the account's Lambda concurrency is exhausted.`,
  };
}
