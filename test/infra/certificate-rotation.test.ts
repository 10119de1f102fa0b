import { App, Duration, Stack, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { AwsSolutionsChecks } from 'cdk-nag';
import { AuditTrail } from '../../lib/audit-trail';
import { CertificateRotation } from '../../lib/rotation/certificate-rotation';
import { RotationWorkflow } from '../../lib/rotation/rotation-workflow';
import { expectNagClean, NO_BUNDLING, policyLines } from '../support/synth';

const CA_KEY_ARN = 'arn:aws:kms:eu-west-1:123456789012:key/0b6e1c39-0000-4f4c-9e5a-aaaaaaaaaaa1';
const ACM_ARN = 'arn:aws:acm:eu-west-1:123456789012:certificate/0b6e1c39-0000-4f4c-9e5a-aaaaaaaaaaa2';
const PCA_ARN =
  'arn:aws:acm-pca:eu-west-1:123456789012:certificate-authority/0b6e1c39-0000-4f4c-9e5a-aaaaaaaaaaa3';

function scenario(nag = false) {
  const app = new App({ context: NO_BUNDLING });
  if (nag) Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
  const stack = new Stack(app, 'Certificates', { env: { account: '123456789012', region: 'eu-west-1' } });
  const audit = new AuditTrail(stack, 'Audit', { ingestCloudTrail: false });
  const secret = (name: string) => new secretsmanager.Secret(stack, name, { secretName: name });
  const caRecord = secret('rotor-ca');
  Validations.of(caRecord).acknowledge({
    id: 'AwsSolutions-SMG4',
    reason: 'a CA record is public data written once by rotor ca init; the CA key lives in KMS',
  });
  const caKey = kms.Key.fromKeyArn(stack, 'CaKey', CA_KEY_ARN);
  new CertificateRotation(stack, 'ApiTls', {
    secret: secret('api-tls'),
    caRecordSecret: caRecord,
    caKey,
    acmCertificateArn: ACM_ARN,
    audit,
  });
  new CertificateRotation(stack, 'MeshTls', {
    secret: secret('mesh-tls'),
    certificateAuthorityArn: PCA_ARN,
    validityDays: 7,
    audit,
  });
  return { app, stack };
}

describe('CertificateRotation', () => {
  const { stack } = scenario();
  const template = Template.fromStack(stack);

  it('shares one rotation function between certificate secrets, outside any VPC', () => {
    const functions = template.findResources('AWS::Lambda::Function');
    expect(Object.keys(functions)).toEqual([expect.stringMatching(/^RotateCertificate/)]);
    expect(Object.values(functions)[0].Properties.VpcConfig).toBeUndefined();
  });

  it('without the workflow, schedules renewal every third of the validity', () => {
    template.hasResourceProperties('AWS::SecretsManager::RotationSchedule', {
      SecretId: { Ref: Match.stringLikeRegexp('^apitls') },
      RotationLambdaARN: { 'Fn::GetAtt': [Match.stringLikeRegexp('^RotateCertificate'), 'Arn'] },
      RotationRules: { ScheduleExpression: 'rate(10 days)' },
      RotateImmediatelyOnUpdate: true,
    });
    template.hasResourceProperties('AWS::SecretsManager::RotationSchedule', {
      SecretId: { Ref: Match.stringLikeRegexp('^meshtls') },
      RotationRules: { ScheduleExpression: 'rate(2 days)' },
    });
  });

  it('tags each certificate secret rotor:kind=certificate', () => {
    const tags = (id: RegExp) =>
      Object.entries(template.findResources('AWS::SecretsManager::Secret')).find(([k]) => id.test(k))![1]
        .Properties.Tags;
    expect(tags(/^apitls/)).toEqual([{ Key: 'rotor:kind', Value: 'certificate' }]);
    expect(tags(/^meshtls/)).toEqual([{ Key: 'rotor:kind', Value: 'certificate' }]);
    expect(tags(/^rotorca/)).toBeUndefined();
  });

  it('grants exactly the secrets, the CA key (Sign, GetPublicKey), the CA record, the PCA, the ACM certificate and the audit trail', () => {
    const summary = policyLines(template, 'RotateCertificate');
    const rotate =
      'secretsmanager:DescribeSecret,secretsmanager:GetSecretValue,secretsmanager:PutSecretValue,secretsmanager:UpdateSecretVersionStage';
    expect(summary.sort()).toEqual(
      [
        'logs:CreateLogStream,logs:PutLogEvents on {"Fn::GetAtt":["RotateCertificateLogs","Arn"]}',
        'xray:PutTraceSegments,xray:PutTelemetryRecords on "*"',
        'dynamodb:PutItem,dynamodb:Query,dynamodb:GetItem on {"Fn::GetAtt":["AuditTable","Arn"]}',
        'kms:Encrypt,kms:Decrypt,kms:GenerateDataKey,kms:DescribeKey on {"Fn::GetAtt":["AuditKey","Arn"]}',
        `${rotate} on {"Ref":"apitls"}`,
        `${rotate} on {"Ref":"meshtls"}`,
        'secretsmanager:TagResource on {"Ref":"apitls"}',
        'secretsmanager:TagResource on {"Ref":"meshtls"}',
        'secretsmanager:GetRandomPassword on "*"',
        'secretsmanager:GetSecretValue,secretsmanager:DescribeSecret on {"Ref":"rotorca"}',
        `kms:Sign,kms:GetPublicKey on "${CA_KEY_ARN}"`,
        `acm-pca:IssueCertificate,acm-pca:GetCertificate on "${PCA_ARN}"`,
        `acm:ImportCertificate,acm:DescribeCertificate on "${ACM_ARN}"`,
      ].sort(),
    );
  });

  it('may tag its secrets only with the two validity tags the sweep renews by', () => {
    const statements = Object.values(template.findResources('AWS::IAM::Policy')).flatMap(
      (p) => p.Properties.PolicyDocument.Statement as Array<{ Action: unknown; Condition?: unknown }>,
    );
    const tagging = statements.filter((st) => st.Action === 'secretsmanager:TagResource');
    expect(tagging).toHaveLength(2);
    for (const st of tagging) {
      expect(st.Condition).toEqual({
        'ForAllValues:StringEquals': { 'aws:TagKeys': ['rotor:not-before', 'rotor:not-after'] },
      });
    }
  });

  it('with the rotation workflow, leaves renewal to the sweep: the function attached, no fixed schedule', () => {
    const stack2 = new Stack(new App({ context: NO_BUNDLING }), 'Swept', {
      env: { account: '123456789012', region: 'eu-west-1' },
    });
    const audit = new AuditTrail(stack2, 'Audit', { ingestCloudTrail: false });
    const workflow = new RotationWorkflow(stack2, 'Rotation', { audit });
    const secret = new secretsmanager.Secret(stack2, 'ApiTlsSecret');
    new CertificateRotation(stack2, 'ApiTls', {
      secret,
      certificateAuthorityArn: PCA_ARN,
      renewBeforeDays: 10,
      workflow,
      audit,
    });
    const t = Template.fromStack(stack2);
    const [schedule] = Object.values(t.findResources('AWS::SecretsManager::RotationSchedule'));
    expect(schedule.Properties.RotationRules).toBeUndefined();
    expect(schedule.Properties.RotateImmediatelyOnUpdate).toBe(true);
    expect(schedule.Properties.RotationLambdaARN).toEqual({
      'Fn::GetAtt': [expect.stringMatching(/^RotateCertificate/), 'Arn'],
    });
    t.hasResourceProperties('AWS::SecretsManager::Secret', {
      Tags: Match.arrayWith([
        { Key: 'rotor:kind', Value: 'certificate' },
        { Key: 'rotor:renew-before-days', Value: '10' },
      ]),
    });
    expect(
      () =>
        new CertificateRotation(stack2, 'Bad', {
          secret: new secretsmanager.Secret(stack2, 'Other'),
          certificateAuthorityArn: PCA_ARN,
          renewBeforeDays: 30,
        }),
    ).toThrow(/renewBeforeDays/);
  });

  it('refuses no issuer, two issuers, a CA record without its key, and a cadence past two thirds of the validity', () => {
    const stack2 = new Stack(new App({ context: NO_BUNDLING }), 'Bad');
    const secret = new secretsmanager.Secret(stack2, 'S');
    const caRecordSecret = new secretsmanager.Secret(stack2, 'Ca');
    expect(() => new CertificateRotation(stack2, 'A', { secret })).toThrow(/either/);
    expect(
      () =>
        new CertificateRotation(stack2, 'B', { secret, caRecordSecret, certificateAuthorityArn: PCA_ARN }),
    ).toThrow(/either/);
    expect(() => new CertificateRotation(stack2, 'C', { secret, caRecordSecret })).toThrow(/caKey/);
    expect(
      () =>
        new CertificateRotation(stack2, 'D', {
          secret,
          certificateAuthorityArn: PCA_ARN,
          validityDays: 30,
          automaticallyAfter: Duration.days(21),
        }),
    ).toThrow(/two thirds/);
  });

  it('is clean under cdk-nag AwsSolutions', () => {
    expectNagClean(scenario(true).app);
  });
});
