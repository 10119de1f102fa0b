import type { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { METRICS_NAMESPACE, type MetricRef, newFindingsBySeverityMetric } from '../../core/contracts/metrics';

/**
 * The scanner's severities, most severe first (the order of the dashboard's stack). The same set as
 * `SEVERITIES` in core/scanning/types.ts, which lib/ may not import: a stack test keeps the two equal.
 */
export const FINDING_SEVERITIES = ['critical', 'high', 'medium', 'low', 'info'] as const;

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
