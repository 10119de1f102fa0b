/**
 * The CloudWatch metrics Rotor's functions emit (Powertools EMF) and the monitoring construct graphs and
 * alarms on. Every metric is in one namespace with one dimension, `service` (the emitting function's
 * service name, which Powertools adds), so an alarm names exactly what the function wrote.
 */
export const METRICS_NAMESPACE = 'Rotor';

/** Metric name and the `service` dimension it is emitted under. */
export interface MetricRef {
  readonly service: string;
  readonly name: string;
}

export const ROTOR_METRICS = {
  rotationSucceeded: { service: 'rotation-control', name: 'RotationSucceeded' },
  rotationFailed: { service: 'rotation-control', name: 'RotationFailed' },
  /** Consumers (ECS services) that did not roll out after a rotation: revocation was held back. */
  consumerRefreshFailed: { service: 'rotation-control', name: 'ConsumerRefreshFailed' },
  /** Managed secrets past their rotation interval (or certificates past their renewal point) at the sweep. */
  overdueSecrets: { service: 'rotation-sweep', name: 'OverdueSecrets' },
  /** Rotations the sweep started. */
  sweepStarted: { service: 'rotation-sweep', name: 'RotationsStarted' },
  newFindings: { service: 'scan-merge', name: 'NewFindings' },
  managedSecretLeaks: { service: 'scan-merge', name: 'ManagedSecretLeaks' },
  taskDefinitionFindings: { service: 'scan-task-definition', name: 'NewFindings' },
  taskDefinitionManagedLeaks: { service: 'scan-task-definition', name: 'ManagedSecretLeaks' },
  /** Audit chains whose verification failed (a changed, missing or unlinked record). */
  brokenAuditChains: { service: 'audit-verify', name: 'BrokenChains' },
  auditChainsVerified: { service: 'audit-verify', name: 'ChainsVerified' },
} as const satisfies Record<string, MetricRef>;

/** New findings by severity: `NewFindings<Severity>` (e.g. `NewFindingsCritical`) under scan-merge. */
export function newFindingsBySeverityMetric(severity: string): MetricRef {
  return { service: 'scan-merge', name: `NewFindings${severity[0]!.toUpperCase()}${severity.slice(1)}` };
}
