import {
  InvalidTaskDefinitionScanRequestError,
  taskDefinitionScanRequestOf,
} from '../../../../core/scanning/task-definition';
import { password } from '../../../../core/scanning/rules/sample-kit';
import { registerTaskDefinitionEvent } from './cloudtrail-event';
import { arnOf } from './support';

describe('taskDefinitionScanRequestOf', () => {
  it('reads the new revision ARN from a CloudTrail RegisterTaskDefinition event, and nothing of its environment', () => {
    const secret = password(16);
    const request = taskDefinitionScanRequestOf(
      registerTaskDefinitionEvent('api', 7, [{ name: 'DB_PASSWORD', value: secret }]),
    );
    expect(request).toEqual({
      kind: 'revision',
      taskDefinition: arnOf('api', 7),
      occurredAt: '2026-11-24T09:30:11Z',
      eventId: 'e5c1a7b4-0000-4d2a-8f3e-9b6c1d2e3f44',
    });
    expect(JSON.stringify(request)).not.toContain(secret);
  });

  it('falls back to the family when CloudTrail left the response out', () => {
    const request = taskDefinitionScanRequestOf(
      registerTaskDefinitionEvent('api', 7, [], { withoutResponse: true }),
    );
    expect(request).toMatchObject({ kind: 'revision', taskDefinition: 'api' });
  });

  it('ignores a call that failed', () => {
    const request = taskDefinitionScanRequestOf(
      registerTaskDefinitionEvent('api', 7, [], { errorCode: 'ClientException' }),
    );
    expect(request).toEqual({
      kind: 'ignored',
      reason: 'the call failed (ClientException): no revision was registered',
    });
  });

  it('reads a sweep request, with or without every revision', () => {
    expect(taskDefinitionScanRequestOf({ sweep: true })).toEqual({ kind: 'sweep', allRevisions: false });
    expect(taskDefinitionScanRequestOf({ sweep: true, allRevisions: true })).toEqual({
      kind: 'sweep',
      allRevisions: true,
    });
  });

  it('reads a direct request for one revision', () => {
    expect(taskDefinitionScanRequestOf({ taskDefinition: 'api:3' })).toEqual({
      kind: 'revision',
      taskDefinition: 'api:3',
    });
  });

  it.each([
    [null, 'the request is not a JSON object'],
    [
      { sweep: 'yes' },
      'the request is neither a CloudTrail ECS event, a sweep request nor a task definition request',
    ],
    [{ sweep: true, allRevisions: 'yes' }, 'allRevisions must be a boolean'],
    [{ taskDefinition: 'not a name!' }, 'taskDefinition must be an ARN, family:revision or a family'],
    [
      { source: 'aws.ecr', 'detail-type': 'ECR Image Action', detail: {} },
      'the request is neither a CloudTrail ECS event, a sweep request nor a task definition request',
    ],
  ])('refuses %j', (input, message) => {
    expect(() => taskDefinitionScanRequestOf(input)).toThrow(
      new InvalidTaskDefinitionScanRequestError(message),
    );
  });

  it('refuses another ECS call and an event without an ARN or family', () => {
    const other = registerTaskDefinitionEvent('api', 1, []);
    (other.detail as Record<string, unknown>).eventName = 'DeregisterTaskDefinition';
    expect(() => taskDefinitionScanRequestOf(other)).toThrow(
      'the CloudTrail event is not RegisterTaskDefinition',
    );
    const bare = registerTaskDefinitionEvent('api', 1, [], { withoutResponse: true });
    (bare.detail as Record<string, unknown>).requestParameters = {};
    expect(() => taskDefinitionScanRequestOf(bare)).toThrow(
      'the event names no task definition ARN and no family',
    );
  });
});
