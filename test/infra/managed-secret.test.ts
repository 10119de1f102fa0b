import { Duration, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as iam from 'aws-cdk-lib/aws-iam';
import { buildApp } from '../../lib/app';
import { ManagedSecret, rateOf, Schedule } from '../../lib/managed-secret';
import { expectNagClean, NO_BUNDLING, policyLines } from '../support/synth';

function scenario(nag = false) {
  const { app, stack } = buildApp({ context: NO_BUNDLING, nag });
  const ordersDb = new secretsmanager.Secret(stack, 'OrdersDbSecret', { secretName: 'prod/orders-db' });
  const admin = new secretsmanager.Secret(stack, 'OrdersAdminSecret', { secretName: 'prod/orders-admin' });
  Validations.of(admin).acknowledge({ id: 'AwsSolutions-SMG4', reason: 'test fixture: the admin secret' });
  new ManagedSecret(stack, 'OrdersDb', {
    rotor: stack,
    secret: ordersDb,
    kind: 'postgres',
    strategy: 'alternating-users',
    schedule: Schedule.rate(Duration.days(30)),
    consumers: [{ cluster: 'prod', service: 'orders-web' }],
    consumerClusters: ['prod'],
    database: { masterSecret: admin },
  });
  const deployerKey = new secretsmanager.Secret(stack, 'DeployerKey', { secretName: 'ci/deployer-key' });
  new ManagedSecret(stack, 'Deployer', {
    rotor: stack,
    secret: deployerKey,
    kind: 'api-key',
    apiKey: { iamUser: iam.User.fromUserName(stack, 'DeployerUser', 'deployer') },
    schedule: Schedule.cron({ hour: '3', minute: '0', weekDay: 'MON' }),
    flexibleWindow: Duration.minutes(0),
  });
  return { app, stack, template: Template.fromStack(stack) };
}

describe('ManagedSecret', () => {
  const { template } = scenario();
  const machineId = Object.keys(template.findResources('AWS::StepFunctions::StateMachine')).find((id) =>
    id.startsWith('Rotation'),
  )!;

  it('starts the rotation workflow on an EventBridge Scheduler schedule with a flexible window', () => {
    template.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'rate(30 days)',
      FlexibleTimeWindow: { Mode: 'FLEXIBLE', MaximumWindowInMinutes: 60 },
      Target: Match.objectLike({
        Arn: { Ref: machineId },
        RetryPolicy: { MaximumRetryAttempts: 5, MaximumEventAgeInSeconds: 21600 },
        Input: {
          'Fn::Join': [
            '',
            ['{"secretId":"', { Ref: Match.stringLikeRegexp('^OrdersDbSecret') }, '","reason":"schedule"}'],
          ],
        },
      }),
    });
    template.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'cron(0 3 ? * MON *)',
      FlexibleTimeWindow: { Mode: 'OFF' },
    });
  });

  it('lets the schedule start only the rotation workflow', () => {
    const schedule = Object.values(template.findResources('AWS::Scheduler::Schedule')).find(
      (sch) => sch.Properties.ScheduleExpression === 'rate(30 days)',
    )!;
    const roleId = schedule.Properties.Target.RoleArn['Fn::GetAtt'][0] as string;
    const lines = policyLines(template, roleId);
    expect(lines).toEqual([`states:StartExecution on {"Ref":"${machineId.replace(/[0-9A-F]{8}$/, '')}"}`]);
  });

  it('gives Secrets Manager the rotation function but no schedule of its own', () => {
    const schedules = Object.values(template.findResources('AWS::SecretsManager::RotationSchedule'));
    expect(schedules).toHaveLength(2);
    for (const schedule of schedules) {
      expect(schedule.Properties.RotationRules).toBeUndefined();
      expect(schedule.Properties.RotateImmediatelyOnUpdate).toBe(false);
      expect(schedule.Properties.RotationLambdaARN).toBeDefined();
    }
  });

  it('tags the secret for the workflow, the sweep and consumer discovery', () => {
    const tagsOf = (name: string) =>
      Object.values(template.findResources('AWS::SecretsManager::Secret')).find(
        (s) => s.Properties.Name === name,
      )!.Properties.Tags as Array<{ Key: string; Value: string }>;
    expect(Object.fromEntries(tagsOf('prod/orders-db').map((t) => [t.Key, t.Value]))).toEqual({
      'rotor:kind': 'postgres',
      'rotor:strategy': 'alternating-users',
      'rotor:interval-days': '31',
      'rotor:consumers': 'prod/orders-web',
      'rotor:consumer-clusters': 'prod',
    });
    // A cron schedule has no interval to be overdue by.
    const deployer = Object.values(template.findResources('AWS::SecretsManager::Secret')).find(
      (s) => s.Properties.Name === 'ci/deployer-key',
    )!;
    expect(deployer.Properties.Tags).toEqual(
      expect.arrayContaining([{ Key: 'rotor:kind', Value: 'api-key' }]),
    );
    expect(JSON.stringify(deployer.Properties.Tags)).not.toContain('rotor:interval-days');
  });

  it('lets the workflow invoke the secrets’ rotation functions', () => {
    const lines = policyLines(template, 'RotationRole').join('\n');
    expect(lines).toMatch(/lambda:InvokeFunction on .*RotateDatabasePostgres/);
    expect(lines).toMatch(/lambda:InvokeFunction on .*RotateApiKey/);
  });

  it('is cdk-nag clean', () => {
    expectNagClean(scenario(true).app);
  });
});

describe('rateOf', () => {
  it('reads rate expressions and nothing else', () => {
    expect(rateOf(Schedule.rate(Duration.days(7)))?.toDays()).toBe(7);
    expect(rateOf(Schedule.rate(Duration.hours(12)))?.toHours()).toBe(12);
    expect(rateOf(Schedule.cron({ hour: '3', minute: '0' }))).toBeUndefined();
  });
});
