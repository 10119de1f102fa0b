import type { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { METRICS_NAMESPACE, type MetricRef, newFindingsBySeverityMetric } from '../../core/contracts/metrics';
import { SEVERITIES, type Severity } from '../../core/contracts/scanning';

/** The scanner's severities, most severe first (the order of the dashboard's stack). */
export const FINDING_SEVERITIES: readonly Severity[] = [...SEVERITIES].reverse();

/** A Rotor metric exactly as its function emits it: namespace `Rotor`, the single dimension `service`. */
export function rotorMetric(
  ref: MetricRef,
  options: { statistic?: string; period: Duration; label?: string },
): cloudwatch.Metric {
  return new cloudwatch.Metric({
    namespace: METRICS_NAMESPACE,
    metricName: ref.name,
    dimensionsMap: { service: ref.service },
    statistic: options.statistic ?? cloudwatch.Stats.SUM,
    period: options.period,
    ...(options.label ? { label: options.label } : {}),
  });
}

/** New findings of one severity, as scan-merge emits them. */
export function findingsMetric(severity: string, period: Duration): cloudwatch.Metric {
  return rotorMetric(newFindingsBySeverityMetric(severity), { period, label: severity });
}
