import { secretAccessFromCloudTrail } from '../../../core/audit/cloudtrail';
import { MalformedCloudTrailEventError } from '../../../core/audit/errors';
import { AuditEvent } from '../../../core/audit/event';
import { cloudTrailEvent, cloudTrailSamples } from '../../../local/samples/cloudtrail';

describe('secretAccessFromCloudTrail', () => {
  const samples = cloudTrailSamples();

  it.each(Object.entries(samples))('turns a %s record into a valid secret.access event', (_name, sample) => {
    const event = secretAccessFromCloudTrail(sample);
    expect(AuditEvent.safeParse(event).success).toBe(true);
    expect(event).toMatchObject({
      type: 'secret.access',
      subject: 'SECRET#prod/orders-db',
      eventId: sample.detail.eventID,
    });
    expect(event.details.api).toBe(sample.detail.eventName);
    expect(event.details.sourceIp).toBe('10.0.3.17');
    expect(JSON.stringify(event)).not.toContain('HIDDEN_DUE_TO_SECURITY_REASONS');
  });

  it('records who called, from where and with what', () => {
    const event = secretAccessFromCloudTrail(samples.GetSecretValue);
    expect(event.actor).toBe('arn:aws:sts::123456789012:assumed-role/orders-task/orders-service');
    expect(event.details).toMatchObject({
      principalType: 'AssumedRole',
      versionStage: 'AWSCURRENT',
      readOnly: true,
      region: 'eu-west-1',
    });
    expect(event.details.userAgent).toContain('aws-sdk-js');
    expect(event.occurredAt).toBe('2026-11-24T07:59:58Z');
    expect(event.outcome).toBe('success');
  });

  it('records the versions a stage moved between', () => {
    const event = secretAccessFromCloudTrail(samples.UpdateSecretVersionStage);
    expect(event.versions).toEqual({
      from: 'a1a1a1a1-0000-4000-8000-000000000000',
      to: 'b7a8c9d0-0000-4000-8000-000000000001',
    });
  });

  it('records a failed call as a failure with its error code and the caller', () => {
    const event = secretAccessFromCloudTrail(samples.FailedGetSecretValue);
    expect(event.outcome).toBe('failure');
    expect(event.details.errorCode).toBe('AccessDenied');
    expect(event.actor).toBe('arn:aws:iam::123456789012:user/mallory');
  });

  it('names an AWS service as the actor when a service made the call', () => {
    const event = secretAccessFromCloudTrail(
      cloudTrailEvent('GetSecretValue', {
        userIdentity: { type: 'AWSService', invokedBy: 'ecs-tasks.amazonaws.com' },
      }),
    );
    expect(event.actor).toBe('ecs-tasks.amazonaws.com');
  });

  it.each([
    ['not an object', 'hello'],
    ['another service', { ...samples.GetSecretValue, source: 'aws.s3' }],
    [
      'no event id',
      { ...samples.GetSecretValue, detail: { ...samples.GetSecretValue.detail, eventID: undefined } },
    ],
    [
      'no event time',
      { ...samples.GetSecretValue, detail: { ...samples.GetSecretValue.detail, eventTime: 'yesterday' } },
    ],
    [
      'no user identity',
      { ...samples.GetSecretValue, detail: { ...samples.GetSecretValue.detail, userIdentity: undefined } },
    ],
  ])('rejects a malformed event (%s) with a clear error', (_why, input) => {
    expect(() => secretAccessFromCloudTrail(input)).toThrow(MalformedCloudTrailEventError);
  });

  it('rejects an event that names no secret', () => {
    const event = cloudTrailEvent('GetSecretValue', { requestParameters: {}, responseElements: null });
    expect(() => secretAccessFromCloudTrail(event)).toThrow(/names no secret/);
  });
});
