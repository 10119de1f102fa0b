import { z } from 'zod';
import { MalformedCloudTrailEventError } from './errors';
import { type SecretAccessAuditEvent, secretSubject } from './event';

export { AUDITED_SECRETS_MANAGER_CALLS } from '../contracts/cloudtrail';

const optionalText = z.string().nullish();

/**
 * The part of a CloudTrail record Rotor reads. Only these fields are ever copied into the trail: request
 * parameters beyond the secret's id, version and stage are never read, so a value that a caller sent
 * cannot reach the trail even if CloudTrail were to record it.
 */
const CloudTrailDetail = z.object({
  eventID: z.string().min(1),
  eventTime: z.iso.datetime({ offset: true }),
  eventSource: z.literal('secretsmanager.amazonaws.com'),
  eventName: z.string().min(1),
  awsRegion: optionalText,
  recipientAccountId: optionalText,
  sourceIPAddress: optionalText,
  userAgent: optionalText,
  readOnly: z.boolean().nullish(),
  errorCode: optionalText,
  userIdentity: z.object({
    type: optionalText,
    arn: optionalText,
    principalId: optionalText,
    accountId: optionalText,
    invokedBy: optionalText,
  }),
  requestParameters: z
    .object({
      secretId: optionalText,
      name: optionalText,
      versionId: optionalText,
      versionStage: optionalText,
      moveToVersionId: optionalText,
      removeFromVersionId: optionalText,
    })
    .nullish(),
  responseElements: z.object({ arn: optionalText, name: optionalText, versionId: optionalText }).nullish(),
  resources: z.array(z.object({ ARN: optionalText })).nullish(),
});

/** The EventBridge envelope of `AWS API Call via CloudTrail`. */
const CloudTrailEnvelope = z.object({
  'detail-type': z.literal('AWS API Call via CloudTrail'),
  source: z.literal('aws.secretsmanager'),
  detail: CloudTrailDetail,
});

/** The CloudTrail event id an EventBridge event carries (the idempotency key), or undefined. */
export function cloudTrailEventId(event: unknown): string | undefined {
  const id = (event as { detail?: { eventID?: unknown } } | null)?.detail?.eventID;
  return typeof id === 'string' && id.length > 0 ? id : undefined;
}

/**
 * Turns an EventBridge event carrying a Secrets Manager CloudTrail record into a `secret.access` audit
 * event: who (principal, source IP, user agent), what (the API), which secret and version, and the result.
 * Throws MalformedCloudTrailEventError, naming the fields, when the event is not one.
 */
export function secretAccessFromCloudTrail(event: unknown): SecretAccessAuditEvent {
  const parsed = CloudTrailEnvelope.safeParse(event);
  if (!parsed.success) {
    const fields = [...new Set(parsed.error.issues.map((issue) => issue.path.join('.') || '(event)'))];
    throw new MalformedCloudTrailEventError(
      `not a Secrets Manager CloudTrail event: check ${fields.join(', ')}`,
      {
        context: { fields: fields.join(','), eventId: cloudTrailEventId(event) },
      },
    );
  }
  const detail = parsed.data.detail;
  const request = detail.requestParameters ?? {};
  const response = detail.responseElements ?? {};
  const secretRef =
    request.secretId ??
    request.name ??
    response.arn ??
    response.name ??
    detail.resources?.find((r) => r.ARN)?.ARN;
  if (!secretRef) {
    throw new MalformedCloudTrailEventError(`${detail.eventName} event ${detail.eventID} names no secret`, {
      context: { eventId: detail.eventID, api: detail.eventName },
    });
  }
  const identity = detail.userIdentity;
  const actor =
    identity.arn ??
    identity.invokedBy ??
    (identity.principalId
      ? `${identity.type ?? 'principal'}:${identity.principalId}`
      : `${identity.type ?? 'unknown'}`);
  const to = response.versionId ?? request.moveToVersionId ?? request.versionId ?? undefined;
  const from = request.removeFromVersionId ?? undefined;

  return {
    type: 'secret.access',
    subject: secretSubject(secretRef),
    actor,
    occurredAt: detail.eventTime,
    outcome: detail.errorCode ? 'failure' : 'success',
    eventId: detail.eventID,
    ...(to || from ? { versions: { ...(from ? { from } : {}), ...(to ? { to } : {}) } } : {}),
    details: {
      api: detail.eventName,
      eventSource: detail.eventSource,
      ...defined({
        region: detail.awsRegion,
        accountId: detail.recipientAccountId ?? identity.accountId,
        sourceIp: detail.sourceIPAddress,
        userAgent: detail.userAgent?.slice(0, 1024),
        principalType: identity.type,
        versionStage: request.versionStage,
        errorCode: detail.errorCode,
        readOnly: detail.readOnly ?? undefined,
      }),
    },
  };
}

function defined<T extends Record<string, unknown>>(value: T): { [K in keyof T]?: NonNullable<T[K]> } {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined && v !== null)) as {
    [K in keyof T]?: NonNullable<T[K]>;
  };
}
