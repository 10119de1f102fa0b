import { App, Stack, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { AwsSolutionsChecks } from 'cdk-nag';
import { AuditTrail } from '../../lib/audit-trail';
import { ManagedFingerprints, type ManagedFingerprintsProps } from '../../lib/scanning/managed-fingerprints';
import { SprawlScanner } from '../../lib/scanning/scanner';
import { expectNagClean, NO_BUNDLING, policyLines } from '../support/synth';

const TABLE = '{"Fn::GetAtt":["FingerprintsTable","Arn"]}';
const KEY = '{"Fn::GetAtt":["FingerprintsEncryptionKey","Arn"]}';
const KEY_SECRET = '{"Ref":"FingerprintsKey"}';
const ORDERS_DB =
  '{"Fn::Join":["",["arn:",{"Ref":"AWS::Partition"},":secretsmanager:eu-west-1:123456789012:secret:prod/orders-db-??????"]]}';

function scenario(options: { props?: ManagedFingerprintsProps; scanner?: boolean; nag?: boolean } = {}) {
  const app = new App({ context: NO_BUNDLING });
  if (options.nag) Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
  const stack = new Stack(app, 'Fp', { env: { account: '123456789012', region: 'eu-west-1' } });
  const fingerprints = new ManagedFingerprints(stack, 'Fingerprints', options.props);
  fingerprints.addSecret(secretsmanager.Secret.fromSecretNameV2(stack, 'OrdersDb', 'prod/orders-db'));
  if (options.scanner) {
    const audit = new AuditTrail(stack, 'Audit', { ingestCloudTrail: false });
    new SprawlScanner(stack, 'Scanner', { audit, fingerprints });
  }
  return { app, stack, fingerprints, template: Template.fromStack(stack) };
}

describe('ManagedFingerprints', () => {
  const { template } = scenario();

  it('keeps the records in an on-demand table keyed by secret and stage, with PITR and its own key', () => {
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      KeySchema: [
        { AttributeName: 'secretId', KeyType: 'HASH' },
        { AttributeName: 'stage', KeyType: 'RANGE' },
      ],
      BillingMode: 'PAY_PER_REQUEST',
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      SSESpecification: {
        SSEEnabled: true,
        SSEType: 'KMS',
        KMSMasterKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^FingerprintsEncryptionKey'), 'Arn'] },
      },
    });
    template.hasResource('AWS::DynamoDB::Table', { DeletionPolicy: 'Retain' });
    template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
  });

  it('generates the HMAC key at deploy time: 64 letters and digits, encrypted with the customer-managed key', () => {
    template.hasResourceProperties('AWS::SecretsManager::Secret', {
      GenerateSecretString: { PasswordLength: 64, ExcludePunctuation: true, IncludeSpace: false },
      KmsKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^FingerprintsEncryptionKey'), 'Arn'] },
    });
  });

  it('gives the updater the table, the key secret and the password exclusions in its environment', () => {
    const withExclusions = scenario({ props: { passwordExcludeCharacters: '/@"' } }).template;
    withExclusions.hasResourceProperties('AWS::Lambda::Function', {
      Description: Match.stringLikeRegexp('^Stores keyed HMAC records'),
      Environment: {
        Variables: Match.objectLike({
          MANAGED_FINGERPRINTS_TABLE_NAME: { Ref: Match.stringLikeRegexp('^FingerprintsTable') },
          ROTOR_FINGERPRINT_KEY_SECRET_ARN: { Ref: Match.stringLikeRegexp('^FingerprintsKey') },
          ROTOR_PASSWORD_EXCLUDE_CHARACTERS: '/@"',
        }),
      },
    });
  });

  it('lets the updater write stages, bump the version, read the key and read only the secrets added', () => {
    expect(policyLines(template, 'FingerprintsUpdater')).toEqual([
      `dynamodb:Query,dynamodb:PutItem,dynamodb:DeleteItem,dynamodb:UpdateItem on ${TABLE}`,
      `kms:Decrypt,kms:Encrypt,kms:GenerateDataKey on ${KEY}`,
      'logs:CreateLogStream,logs:PutLogEvents on {"Fn::GetAtt":["FingerprintsUpdaterLogs","Arn"]}',
      `secretsmanager:GetSecretValue on ${KEY_SECRET}`,
      `secretsmanager:GetSecretValue,secretsmanager:DescribeSecret on ${ORDERS_DB}`,
      'xray:PutTraceSegments,xray:PutTelemetryRecords on "*"',
    ]);
  });

  it('grants a reader GetItem and Scan on the table, Decrypt and the key secret; nothing that writes', () => {
    const stack = new Stack(new App({ context: NO_BUNDLING }), 'R', {
      env: { account: '123456789012', region: 'eu-west-1' },
    });
    const fingerprints = new ManagedFingerprints(stack, 'Fingerprints');
    const role = new iam.Role(stack, 'Reader', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
    });
    fingerprints.grantRead(role);
    expect(policyLines(Template.fromStack(stack), 'Reader')).toEqual([
      `dynamodb:GetItem,dynamodb:Scan on ${TABLE}`,
      `kms:Decrypt on ${KEY}`,
      `secretsmanager:GetSecretValue on ${KEY_SECRET}`,
    ]);
  });

  it('uses a given encryption key instead of making one', () => {
    const app = new App({ context: NO_BUNDLING });
    const stack = new Stack(app, 'Own', { env: { account: '123456789012', region: 'eu-west-1' } });
    const key = new kms.Key(stack, 'Shared', { enableKeyRotation: true });
    new ManagedFingerprints(stack, 'Fingerprints', { encryptionKey: key });
    const t = Template.fromStack(stack);
    t.resourceCountIs('AWS::KMS::Key', 1);
    t.hasResourceProperties('AWS::SecretsManager::Secret', {
      KmsKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Shared'), 'Arn'] },
    });
  });

  it('is cdk-nag clean, with the scanner wired to it', () => {
    expectNagClean(scenario({ scanner: true, nag: true }).app);
  });
});

describe('SprawlScanner with fingerprints', () => {
  const { template } = scenario({ scanner: true });
  const envOf = (description: RegExp) => {
    const fns = template.findResources('AWS::Lambda::Function');
    const fn = Object.values(fns).find((f) => description.test(f.Properties.Description))!;
    return fn.Properties.Environment.Variables as Record<string, unknown>;
  };

  it('gives the three scan functions the table name and the key secret ARN', () => {
    for (const step of [/step 1/, /step 2/, /step 3/]) {
      expect(envOf(step)).toMatchObject({
        MANAGED_FINGERPRINTS_TABLE_NAME: { Ref: expect.stringMatching(/^FingerprintsTable/) },
        ROTOR_FINGERPRINT_KEY_SECRET_ARN: { Ref: expect.stringMatching(/^FingerprintsKey/) },
      });
    }
  });

  it('lets Resolve read only the set version (GetItem), never the key', () => {
    const lines = policyLines(template, 'ScannerResolve').filter((l) => /Fingerprints/.test(l));
    expect(lines).toEqual([`dynamodb:GetItem on ${TABLE}`, `kms:Decrypt on ${KEY}`]);
  });

  it('lets ScanLayer and Merge read the records and the key', () => {
    for (const role of ['ScannerScanLayer', 'ScannerMerge']) {
      expect(policyLines(template, role).filter((l) => /Fingerprints/.test(l))).toEqual([
        `dynamodb:GetItem,dynamodb:Scan on ${TABLE}`,
        `kms:Decrypt on ${KEY}`,
        `secretsmanager:GetSecretValue on ${KEY_SECRET}`,
      ]);
    }
  });

  it('leaves the scan functions without managed-secret settings when no store is given', () => {
    const app = new App({ context: NO_BUNDLING });
    const stack = new Stack(app, 'Plain', { env: { account: '123456789012', region: 'eu-west-1' } });
    new SprawlScanner(stack, 'Scanner', {
      audit: new AuditTrail(stack, 'Audit', { ingestCloudTrail: false }),
    });
    const fns = Template.fromStack(stack).findResources('AWS::Lambda::Function');
    for (const fn of Object.values(fns)) {
      expect(Object.keys(fn.Properties.Environment?.Variables ?? {})).not.toContain(
        'MANAGED_FINGERPRINTS_TABLE_NAME',
      );
    }
  });
});
