import { createHash } from 'node:crypto';
import type { AuditEvent } from '../../audit/event';
import type { FindingRecord, SecretLeak } from '../pipeline/ports';
import type { TaskDefinitionField, TaskDefinitionFinding } from './types';

/** The `source` of findings records and leak events that come from task definitions. */
export const TASK_DEFINITION_SOURCE = 'ecs-task-definition';

/**
 * A task definition finding as stored in the findings table (FINDINGS_TABLE): the image columns carry the
 * task definition (`imageDigest` and `targetDigest` = its ARN, so the `by-image` index lists a revision's
 * findings; `registry` = `ecs:<region>:<account>`; `repository` = the family; `path` = `<container>/<VAR>`),
 * plus columns of its own. No value: the excerpt is censored.
 */
export interface TaskDefinitionFindingRecord extends FindingRecord {
  readonly source: typeof TASK_DEFINITION_SOURCE;
  readonly taskDefinitionArn: string;
  readonly family: string;
  readonly revision: number;
  readonly container: string;
  readonly field: TaskDefinitionField;
  readonly variable: string;
  readonly remedy: string;
}

/** The audit chain of a family's findings: `TASKDEF#<family>`. */
export function taskDefinitionSubject(family: string): `TASKDEF#${string}` {
  return `TASKDEF#${family}`;
}

/**
 * Where a finding is, as one string: `ecs-task-definition:<family>:<revision>#<container>/<VAR>` (an
 * environment variable), `...#<container>/logConfiguration.options/<key>`, `...#<container>/command`.
 */
export function taskDefinitionLocationText(finding: TaskDefinitionFinding): string {
  const t = finding.taskDefinition;
  return `ecs-task-definition:${t.family}:${t.revision}#${finding.location.path}`;
}

/** `ecs:<region>:<account>` of a task definition ARN, or `ecs` for a definition read from a file. */
function registryOf(arn: string): string {
  const match = /^arn:[a-z-]+:ecs:([a-z0-9-]+):(\d{12}):/.exec(arn);
  return match ? `ecs:${match[1]}:${match[2]}` : 'ecs';
}

/**
 * The stored form of a finding. The sort key `occurrence` = `<task definition ARN>#<path>` (`<container>/<VAR>`), so
 * scanning the same revision again (the sweep, a duplicate event) writes nothing new, while the same secret
 * in the next revision is a new sighting under the same fingerprint.
 */
export function taskDefinitionFindingRecord(
  finding: TaskDefinitionFinding,
  now: string,
): TaskDefinitionFindingRecord {
  const t = finding.taskDefinition;
  const l = finding.location;
  return {
    fingerprint: finding.fingerprint,
    occurrence: `${t.taskDefinitionArn}#${l.path}`,
    imageDigest: t.taskDefinitionArn,
    targetDigest: t.taskDefinitionArn,
    registry: registryOf(t.taskDefinitionArn),
    repository: t.family,
    ruleId: finding.ruleId,
    title: finding.title,
    severity: finding.severity,
    location: taskDefinitionLocationText(finding),
    path: l.path,
    line: l.line,
    column: l.column,
    excerpt: finding.excerpt,
    firstSeenAt: now,
    ...(finding.managedSecret
      ? { managedSecretId: finding.managedSecret.secretId, managedStage: finding.managedSecret.stage }
      : {}),
    source: TASK_DEFINITION_SOURCE,
    taskDefinitionArn: t.taskDefinitionArn,
    family: t.family,
    revision: t.revision,
    container: t.container,
    field: t.field,
    variable: t.variable,
    remedy: finding.remedy,
  };
}

/** The `scan.finding` audit event of a stored finding, on the family's chain; idempotent by eventId. */
export function taskDefinitionAuditEvent(record: TaskDefinitionFindingRecord, actor: string): AuditEvent {
  return {
    type: 'scan.finding',
    subject: taskDefinitionSubject(record.family),
    actor,
    outcome: 'success',
    versions: { to: record.taskDefinitionArn },
    eventId: createHash('sha256').update(`${record.fingerprint}\u0000${record.occurrence}`).digest('hex'),
    details: {
      ruleId: record.ruleId,
      severity: record.severity,
      fingerprint: record.fingerprint,
      location: record.location.slice(0, 2048),
      ...(record.managedSecretId ? { managedSecretId: record.managedSecretId } : {}),
    },
  };
}

/** A leak of a managed secret in a task definition, as remediation receives it (the image event's shape, plus where). */
export interface TaskDefinitionSecretLeak extends SecretLeak {
  readonly source: typeof TASK_DEFINITION_SOURCE;
  readonly taskDefinitionArn: string;
  readonly family: string;
  readonly revision: number;
  readonly container: string;
  readonly field: TaskDefinitionField;
  readonly variable: string;
}

/** The `Rotor Managed Secret Leaked` detail of a stored finding that matched a managed secret. */
export function taskDefinitionLeak(
  record: TaskDefinitionFindingRecord,
): TaskDefinitionSecretLeak | undefined {
  if (!record.managedSecretId) return undefined;
  return {
    secretId: record.managedSecretId,
    stage: record.managedStage ?? 'AWSCURRENT',
    fingerprint: record.fingerprint,
    ruleId: record.ruleId,
    severity: record.severity,
    registry: record.registry,
    repository: record.repository,
    targetDigest: record.targetDigest,
    imageDigest: record.imageDigest,
    location: record.location,
    deleted: false,
    source: TASK_DEFINITION_SOURCE,
    taskDefinitionArn: record.taskDefinitionArn,
    family: record.family,
    revision: record.revision,
    container: record.container,
    field: record.field,
    variable: record.variable,
  };
}
