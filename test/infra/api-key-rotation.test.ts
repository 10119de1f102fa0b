import { App, Duration, Stack, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { AwsSolutionsChecks } from 'cdk-nag';
import { AuditTrail } from '../../lib/audit-trail';
import { ApiKeyRotation } from '../../lib/rotation/api-key-rotation';
import { expectNagClean, NO_BUNDLING, policyLines } from '../support/synth';

function scenario(nag = false) {
  const app = new App({ context: NO_BUNDLING });
  if (nag) Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
  const stack = new Stack(app, 'ApiKeys', { env: { account: '123456789012', region: 'eu-west-1' } });
  const audit = new AuditTrail(stack, 'Audit', { ingestCloudTrail: false });
  const secret = (name: string) => new secretsmanager.Secret(stack, name, { secretName: name });
  const deployerKey = secret('deployer-key');
  const acmeKey = secret('acme-key');
  const acmeAdmin = secret('acme-admin');
  const acmeConfig = secret('acme-config');
  for (const fixture of [acmeAdmin, acmeConfig]) {
    Validations.of(fixture).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason: 'test fixture: the admin credential and provider configuration are managed by their owner',
    });
  }
  const deployer = iam.User.fromUserName(stack, 'Deployer', 'deployer');
  new ApiKeyRotation(stack, 'DeployerRotation', { secret: deployerKey, iamUser: deployer, audit });
  new ApiKeyRotation(stack, 'AcmeRotation', {
    secret: acmeKey,
    adminCredentialSecret: acmeAdmin,
    providerConfigSecret: acmeConfig,
    automaticallyAfter: Duration.days(7),
    audit,
  });
  return { app, stack };
}

describe('ApiKeyRotation', () => {
  const { stack } = scenario();
  const template = Template.fromStack(stack);

  it('shares one rotation function between the API key secrets of a stack', () => {
    const functions = template.findResources('AWS::Lambda::Function');
    expect(Object.keys(functions)).toEqual([expect.stringMatching(/^RotateApiKey/)]);
    template.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs22.x',
      Timeout: 120,
      Environment: { Variables: Match.objectLike({ AUDIT_TABLE_NAME: Match.anyValue() }) },
    });
  });

  it('schedules rotation of each secret with the function, and lets Secrets Manager invoke it', () => {
    template.hasResourceProperties('AWS::SecretsManager::RotationSchedule', {
      SecretId: { Ref: Match.stringLikeRegexp('^deployerkey') },
      RotationLambdaARN: { 'Fn::GetAtt': [Match.stringLikeRegexp('^RotateApiKey'), 'Arn'] },
      RotationRules: { ScheduleExpression: 'rate(30 days)' },
      RotateImmediatelyOnUpdate: true,
    });
    template.hasResourceProperties('AWS::SecretsManager::RotationSchedule', {
      SecretId: { Ref: Match.stringLikeRegexp('^acmekey') },
      RotationRules: { ScheduleExpression: 'rate(7 days)' },
    });
    template.hasResourceProperties('AWS::Lambda::Permission', {
      Action: 'lambda:InvokeFunction',
      Principal: 'secretsmanager.amazonaws.com',
    });
  });

  it('tags each rotated secret rotor:kind=api-key, and only those', () => {
    const tags = (id: RegExp) =>
      Object.entries(template.findResources('AWS::SecretsManager::Secret')).find(([k]) => id.test(k))![1]
        .Properties.Tags;
    expect(tags(/^deployerkey/)).toEqual([{ Key: 'rotor:kind', Value: 'api-key' }]);
    expect(tags(/^acmekey/)).toEqual([{ Key: 'rotor:kind', Value: 'api-key' }]);
    expect(tags(/^acmeadmin/)).toBeUndefined();
  });

  it("grants exactly the rotated secrets, the user's own access keys, the admin and config secrets and the audit trail", () => {
    const summary = policyLines(template, 'RotateApiKey');
    const rotate =
      'secretsmanager:DescribeSecret,secretsmanager:GetSecretValue,secretsmanager:PutSecretValue,secretsmanager:UpdateSecretVersionStage';
    expect(summary.sort()).toEqual(
      [
        'logs:CreateLogStream,logs:PutLogEvents on {"Fn::GetAtt":["RotateApiKeyLogs","Arn"]}',
        'xray:PutTraceSegments,xray:PutTelemetryRecords on "*"',
        'dynamodb:PutItem,dynamodb:Query,dynamodb:GetItem on {"Fn::GetAtt":["AuditTable","Arn"]}',
        'kms:Encrypt,kms:Decrypt,kms:GenerateDataKey,kms:DescribeKey on {"Fn::GetAtt":["AuditKey","Arn"]}',
        `${rotate} on {"Ref":"deployerkey"}`,
        `${rotate} on {"Ref":"acmekey"}`,
        'secretsmanager:GetRandomPassword on "*"',
        'iam:CreateAccessKey,iam:ListAccessKeys,iam:UpdateAccessKey,iam:DeleteAccessKey on {"Fn::Join":["",["arn:",{"Ref":"AWS::Partition"},":iam::123456789012:user/deployer"]]}',
        'secretsmanager:GetSecretValue,secretsmanager:DescribeSecret on {"Ref":"acmeadmin"}',
        'secretsmanager:GetSecretValue,secretsmanager:DescribeSecret on {"Ref":"acmeconfig"}',
      ].sort(),
    );
    // Every statement is Allow (policyLines checks), and no IAM action is granted on `*`.
    expect(summary.filter((line) => line.startsWith('iam:') && line.endsWith(' on "*"'))).toEqual([]);
  });

  it('refuses a secret with neither an IAM user nor an admin credential', () => {
    const stack2 = new Stack(new App({ context: NO_BUNDLING }), 'Bad');
    const secret = new secretsmanager.Secret(stack2, 'S');
    expect(() => new ApiKeyRotation(stack2, 'R', { secret })).toThrow(/iamUser|adminCredentialSecret/);
  });

  it('is clean under cdk-nag AwsSolutions', () => {
    expectNagClean(scenario(true).app);
  });
});
