import { inspect } from 'node:util';
import { Sensitive } from '../../../core/sensitive';
import { SecretsStore, type SecretValue } from '../../../local/secrets-manager';
import { words } from '../../../local/secrets-manager/list-filters';
import { nextRotationDate } from '../../../local/secrets-manager/rotation-rules';
import { DAY_MS, ManualClock, testValue } from './support';

// The store's rules without HTTP in between: what the operations rely on.
describe('SecretsStore', () => {
  const scope = { region: 'us-east-1', accountId: '000000000000' };
  const text = (value: string) => Sensitive.of<SecretValue>({ kind: 'string', text: value });

  it('holds values so that inspecting the store or a read result prints none of them', () => {
    const store = new SecretsStore({ scope, clock: new ManualClock() });
    const value = testValue();
    store.createSecret({ Name: 'inspect/me', Value: text(value) });
    const read = store.getSecretValue({ SecretId: 'inspect/me' });
    expect(read.Value.reveal()).toEqual({ kind: 'string', text: value });
    expect(inspect(store, { depth: 20, showHidden: true })).not.toContain(value);
    expect(inspect(read, { depth: 20 })).not.toContain(value);
    expect(JSON.stringify(read)).not.toContain(value);
  });

  it('sets up a rotation with an empty AWSPENDING version and fills it on PutSecretValue with that token', () => {
    const store = new SecretsStore({ scope, clock: new ManualClock() });
    const { VersionId: v1 } = store.createSecret({ Name: 'rotating', Value: text(testValue()) });
    const start = store.beginRotation(
      { SecretId: 'rotating', RotationLambdaARN: 'arn:aws:lambda:us-east-1:000000000000:function:f' },
      () => true,
    );
    expect(store.describeSecret({ SecretId: 'rotating' }).VersionIdsToStages).toEqual({
      [v1!]: ['AWSCURRENT'],
      [start.VersionId]: ['AWSPENDING'],
    });
    const put = store.putSecretValue({
      SecretId: 'rotating',
      ClientRequestToken: start.VersionId,
      Value: text(testValue()),
      VersionStages: ['AWSPENDING'],
    });
    expect(put).toMatchObject({ VersionId: start.VersionId, VersionStages: ['AWSPENDING'] });
  });

  it('rotates a secret created without a value: the filled version stays AWSPENDING until finishSecret moves AWSCURRENT', () => {
    const store = new SecretsStore({ scope, clock: new ManualClock() });
    store.createSecret({ Name: 'empty' });
    const start = store.beginRotation({ SecretId: 'empty', RotationLambdaARN: 'arn:f' }, () => true);
    const put = store.putSecretValue({
      SecretId: 'empty',
      ClientRequestToken: start.VersionId,
      Value: text(testValue()),
      VersionStages: ['AWSPENDING'],
    });
    expect(put.VersionStages).toEqual(['AWSPENDING']);
    store.updateSecretVersionStage({
      SecretId: 'empty',
      VersionStage: 'AWSCURRENT',
      MoveToVersionId: start.VersionId,
    });
    expect(store.describeSecret({ SecretId: 'empty' }).VersionIdsToStages).toEqual({
      [start.VersionId]: ['AWSPENDING', 'AWSCURRENT'],
    });
  });

  it('stamps LastRotatedDate only when a full rotation succeeds', () => {
    const clock = new ManualClock();
    const store = new SecretsStore({ scope, clock });
    store.createSecret({ Name: 'stamped', Value: text(testValue()) });
    const start = store.beginRotation(
      { SecretId: 'stamped', RotationLambdaARN: 'arn:f', RotationRules: { AutomaticallyAfterDays: 2 } },
      () => true,
    );
    store.endRotation(start.ARN, start.VersionId, { succeeded: false, rotateImmediately: true });
    expect(store.describeSecret({ SecretId: 'stamped' }).LastRotatedDate).toBeUndefined();
    clock.advance(DAY_MS);
    store.endRotation(start.ARN, start.VersionId, { succeeded: true, rotateImmediately: true });
    expect(store.describeSecret({ SecretId: 'stamped' })).toMatchObject({
      LastRotatedDate: clock.now(),
      NextRotationDate: new Date(clock.now().getTime() + 2 * DAY_MS),
    });
  });
});

describe('ListSecrets word splitting', () => {
  it.each([
    ['credsDatabase#892', ['creds', 'database', '892']],
    ['My_Secret', ['my', 'secret']],
    ['prod/db/orders-v2', ['prod', 'db', 'orders', 'v', '2']],
    ['HTTPServer', ['http', 'server']],
  ])('splits %j into %j', (input, expected) => {
    expect(words(input)).toEqual(expected);
  });
});

describe('nextRotationDate', () => {
  const from = new Date(Date.UTC(2026, 0, 1));
  it.each([
    [{ AutomaticallyAfterDays: 7 }, new Date(Date.UTC(2026, 0, 8))],
    [{ ScheduleExpression: 'rate(3 days)' }, new Date(Date.UTC(2026, 0, 4))],
    [{ ScheduleExpression: 'rate(6 hours)' }, new Date(Date.UTC(2026, 0, 1, 6))],
    [{ ScheduleExpression: 'cron(0 8 1 * ? *)' }, undefined],
  ])('for %j is %p', (rules, expected) => {
    expect(nextRotationDate(rules, from)).toEqual(expected);
  });
});
