import { REGISTER_TASK_DEFINITION_EVENT } from '../../contracts/scanning';
import { InvalidTaskDefinitionScanRequestError } from './errors';
import { isFamilyName, isTaskDefinitionArn } from './parse';

/** What the scan-task-definition function is asked to do. */
export type TaskDefinitionScanRequest =
  | {
      readonly kind: 'revision';
      /** An ARN, `family:revision`, or a family (its latest ACTIVE revision). */
      readonly taskDefinition: string;
      /** CloudTrail's `eventTime`, when the request came from an event. */
      readonly occurredAt?: string;
      /** CloudTrail's `eventID`, when the request came from an event. */
      readonly eventId?: string;
    }
  | { readonly kind: 'sweep'; readonly allRevisions: boolean }
  /** A RegisterTaskDefinition call that failed: there is nothing to scan. */
  | { readonly kind: 'ignored'; readonly reason: string };

export { REGISTER_TASK_DEFINITION_EVENT };

const REVISION_REFERENCE = /^[A-Za-z0-9_-]{1,255}:\d+$/;

/**
 * Reads the function's input: the EventBridge event of a CloudTrail `RegisterTaskDefinition` record (the
 * new revision's ARN at `detail.responseElements.taskDefinition.taskDefinitionArn`; when CloudTrail left
 * the response out, the family's latest ACTIVE revision from `detail.requestParameters.family`), a sweep
 * request `{ "sweep": true, "allRevisions"?: boolean }`, or a direct request `{ "taskDefinition": "<ARN or
 * family:revision>" }`. Only identifiers are read: the event also carries the container definitions, whose
 * plaintext environment is exactly what must not travel further (the scan describes the revision instead).
 *
 * @throws InvalidTaskDefinitionScanRequestError naming what is missing or malformed
 */
export function taskDefinitionScanRequestOf(event: unknown): TaskDefinitionScanRequest {
  if (typeof event !== 'object' || event === null || Array.isArray(event)) {
    throw new InvalidTaskDefinitionScanRequestError('the request is not a JSON object');
  }
  const e = event as Record<string, unknown>;
  if (e.sweep === true) {
    if (e.allRevisions !== undefined && typeof e.allRevisions !== 'boolean') {
      throw new InvalidTaskDefinitionScanRequestError('allRevisions must be a boolean');
    }
    return { kind: 'sweep', allRevisions: e.allRevisions === true };
  }
  if (typeof e.taskDefinition === 'string') return revision(e.taskDefinition);
  if (
    e.source !== REGISTER_TASK_DEFINITION_EVENT.source ||
    e['detail-type'] !== REGISTER_TASK_DEFINITION_EVENT.detailType
  ) {
    throw new InvalidTaskDefinitionScanRequestError(
      'the request is neither a CloudTrail ECS event, a sweep request nor a task definition request',
    );
  }
  const detail = (typeof e.detail === 'object' && e.detail !== null ? e.detail : {}) as Record<
    string,
    unknown
  >;
  if (detail.eventName !== REGISTER_TASK_DEFINITION_EVENT.eventName) {
    throw new InvalidTaskDefinitionScanRequestError('the CloudTrail event is not RegisterTaskDefinition', {
      context: {
        eventName: typeof detail.eventName === 'string' ? detail.eventName.slice(0, 128) : undefined,
      },
    });
  }
  const eventId =
    typeof detail.eventID === 'string' && detail.eventID !== '' ? detail.eventID.slice(0, 256) : undefined;
  const occurredAt =
    typeof detail.eventTime === 'string' && detail.eventTime !== '' ? detail.eventTime : undefined;
  if (typeof detail.errorCode === 'string' && detail.errorCode !== '') {
    return {
      kind: 'ignored',
      reason: `the call failed (${detail.errorCode.slice(0, 128)}): no revision was registered`,
    };
  }
  const response = objectAt(detail.responseElements, 'taskDefinition');
  const arn = response?.taskDefinitionArn;
  const family = objectAt(detail, 'requestParameters')?.family;
  let taskDefinition: string;
  // An input transformer leaves a path the event lacks empty: an empty ARN is no ARN.
  if (typeof arn === 'string' && arn !== '') {
    if (!isTaskDefinitionArn(arn))
      throw new InvalidTaskDefinitionScanRequestError('taskDefinitionArn is not a task definition ARN');
    taskDefinition = arn;
  } else if (typeof family === 'string' && family !== '' && isFamilyName(family)) {
    taskDefinition = family;
  } else {
    throw new InvalidTaskDefinitionScanRequestError('the event names no task definition ARN and no family');
  }
  return {
    kind: 'revision',
    taskDefinition,
    ...(occurredAt ? { occurredAt } : {}),
    ...(eventId ? { eventId } : {}),
  };
}

function revision(reference: string): TaskDefinitionScanRequest {
  if (!isTaskDefinitionArn(reference) && !REVISION_REFERENCE.test(reference) && !isFamilyName(reference)) {
    throw new InvalidTaskDefinitionScanRequestError(
      'taskDefinition must be an ARN, family:revision or a family',
    );
  }
  return { kind: 'revision', taskDefinition: reference };
}

function objectAt(value: unknown, key: string): Record<string, unknown> | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const inner = (value as Record<string, unknown>)[key];
  return typeof inner === 'object' && inner !== null ? (inner as Record<string, unknown>) : undefined;
}
