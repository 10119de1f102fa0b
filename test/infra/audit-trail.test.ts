import { Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { AuditTrail } from '../../lib/audit-trail';
import { AUDITED_SECRETS_MANAGER_CALLS } from '../../core/contracts/cloudtrail';
import { bareStack, synthRotor } from '../support/synth';

describe('AuditTrail', () => {
  const { template } = synthRotor();
  const tableOf = (t: Template) =>
    Object.values(
      t.findResources('AWS::DynamoDB::Table', {
        Properties: { KeySchema: Match.arrayWith([{ AttributeName: 'seq', KeyType: 'RANGE' }]) },
      }),
    );

  it('keys records by subject and sequence, on demand, with point-in-time recovery and deletion protection', () => {
    template.hasResource('AWS::DynamoDB::Table', {
      Properties: {
        KeySchema: [
          { AttributeName: 'subject', KeyType: 'HASH' },
          { AttributeName: 'seq', KeyType: 'RANGE' },
        ],
        BillingMode: 'PAY_PER_REQUEST',
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        DeletionProtectionEnabled: true,
      },
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
    });
  });

  it('indexes records by subject and time, by event type and time, and by actor and time', () => {
    const [table] = tableOf(template);
    const indexes = (
      table.Properties.GlobalSecondaryIndexes as Array<{
        IndexName: string;
        KeySchema: unknown;
        Projection: unknown;
      }>
    ).map((i) => [i.IndexName, i.KeySchema, i.Projection]);
    expect(indexes).toEqual([
      [
        'by-subject-time',
        [
          { AttributeName: 'subject', KeyType: 'HASH' },
          { AttributeName: 'at', KeyType: 'RANGE' },
        ],
        { ProjectionType: 'ALL' },
      ],
      [
        'by-type',
        [
          { AttributeName: 'eventType', KeyType: 'HASH' },
          { AttributeName: 'at', KeyType: 'RANGE' },
        ],
        { ProjectionType: 'ALL' },
      ],
      [
        'by-actor',
        [
          { AttributeName: 'actor', KeyType: 'HASH' },
          { AttributeName: 'at', KeyType: 'RANGE' },
        ],
        { ProjectionType: 'ALL' },
      ],
    ]);
  });

  it('encrypts the table with a customer-managed key that rotates', () => {
    const [table] = tableOf(template);
    expect(table.Properties.SSESpecification).toEqual({
      SSEEnabled: true,
      SSEType: 'KMS',
      KMSMasterKeyId: { 'Fn::GetAtt': [expect.stringMatching(/^AuditKey/), 'Arn'] },
    });
    template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
  });

  it('has no TTL by default, and expires records on `expiresAt` when retention is configured', () => {
    expect(tableOf(template)[0].Properties.TimeToLiveSpecification).toBeUndefined();
    const withRetention = synthRotor({ 'rotor:auditRetentionDays': '400' }).template;
    expect(tableOf(withRetention)[0].Properties.TimeToLiveSpecification).toEqual({
      AttributeName: 'expiresAt',
      Enabled: true,
    });
    withRetention.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ AUDIT_RETENTION_DAYS: '400' }) },
    });
  });

  it('rejects a retention that is not a whole number of days', () => {
    expect(() => synthRotor({ 'rotor:auditRetentionDays': 'forever' })).toThrow(/rotor:auditRetentionDays/);
  });

  it('sends Secrets Manager API calls recorded by CloudTrail, read-only ones included, to the ingest function', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      State: 'ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS',
      EventPattern: {
        source: ['aws.secretsmanager'],
        'detail-type': ['AWS API Call via CloudTrail'],
        detail: {
          eventSource: ['secretsmanager.amazonaws.com'],
          eventName: [...AUDITED_SECRETS_MANAGER_CALLS],
        },
      },
      Targets: [
        Match.objectLike({
          Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^AuditIngest'), 'Arn'] },
          DeadLetterConfig: {
            Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^AuditIngestDeadLetters'), 'Arn'] },
          },
          RetryPolicy: { MaximumEventAgeInSeconds: 86400, MaximumRetryAttempts: 8 },
        }),
      ],
    });
    expect(AUDITED_SECRETS_MANAGER_CALLS).toEqual(
      expect.arrayContaining([
        'GetSecretValue',
        'PutSecretValue',
        'UpdateSecretVersionStage',
        'RotateSecret',
        'DeleteSecret',
        'RestoreSecret',
      ]),
    );
  });

  it('runs the ingest function on Node 22, arm64, traced, with its own log group and dead-letter queue', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs22.x',
      Architectures: ['arm64'],
      TracingConfig: { Mode: 'Active' },
      LoggingConfig: { LogGroup: { Ref: Match.stringLikeRegexp('^AuditIngestLogs') } },
      DeadLetterConfig: {
        TargetArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^AuditIngestDeadLetters'), 'Arn'] },
      },
      Environment: {
        Variables: {
          NODE_OPTIONS: '--enable-source-maps',
          POWERTOOLS_SERVICE_NAME: 'audit-ingest',
          POWERTOOLS_METRICS_NAMESPACE: 'Rotor',
          AUDIT_TABLE_NAME: { Ref: Match.stringLikeRegexp('^AuditTable') },
          IDEMPOTENCY_TABLE_NAME: { Ref: Match.stringLikeRegexp('^AuditIngestIdempotency') },
        },
      },
    });
    template.hasResourceProperties('AWS::SQS::Queue', {
      KmsMasterKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^AuditKey'), 'Arn'] },
    });
  });

  it('gives the ingest role no managed policy', () => {
    const roles = Object.values(template.findResources('AWS::IAM::Role'));
    for (const role of roles) expect(role.Properties.ManagedPolicyArns).toBeUndefined();
  });

  it('grants the ingest function exactly what it uses', () => {
    const policies = template.findResources('AWS::IAM::Policy', {
      Properties: { Roles: [{ Ref: Match.stringLikeRegexp('^AuditIngestRole') }] },
    });
    const statements = Object.values(policies).flatMap((p) => p.Properties.PolicyDocument.Statement);
    const byAction = Object.fromEntries(
      statements.map((s: { Action: string | string[]; Resource: unknown }) => [
        ([] as string[]).concat(s.Action).join(','),
        s.Resource,
      ]),
    );
    expect(Object.keys(byAction).sort()).toEqual(
      [
        'logs:CreateLogStream,logs:PutLogEvents',
        'xray:PutTraceSegments,xray:PutTelemetryRecords',
        'sqs:SendMessage',
        'dynamodb:PutItem,dynamodb:Query,dynamodb:GetItem',
        'kms:Encrypt,kms:Decrypt,kms:GenerateDataKey,kms:DescribeKey',
        'dynamodb:PutItem,dynamodb:GetItem,dynamodb:UpdateItem,dynamodb:DeleteItem',
      ].sort(),
    );
    expect(byAction['dynamodb:PutItem,dynamodb:Query,dynamodb:GetItem']).toEqual({
      'Fn::GetAtt': [expect.stringMatching(/^AuditTable/), 'Arn'],
    });
    expect(byAction['logs:CreateLogStream,logs:PutLogEvents']).toEqual({
      'Fn::GetAtt': [expect.stringMatching(/^AuditIngestLogs/), 'Arn'],
    });
    expect(byAction['sqs:SendMessage']).toEqual({
      'Fn::GetAtt': [expect.stringMatching(/^AuditIngestDeadLetters/), 'Arn'],
    });
  });

  describe('grants', () => {
    function grantedTo(grant: (audit: AuditTrail, role: iam.Role) => void) {
      const stack = bareStack();
      const audit = new AuditTrail(stack, 'Audit', { ingestCloudTrail: false });
      const role = new iam.Role(stack, 'Reader', {
        assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      });
      grant(audit, role);
      const t = Template.fromStack(stack);
      const [policy] = Object.values(t.findResources('AWS::IAM::Policy'));
      return policy.Properties.PolicyDocument.Statement;
    }

    it('grantAppend allows reading the chain head and inserting, on the table only', () => {
      expect(grantedTo((audit, role) => audit.grantAppend(role))).toEqual([
        {
          Action: ['dynamodb:PutItem', 'dynamodb:Query', 'dynamodb:GetItem'],
          Effect: 'Allow',
          Resource: { 'Fn::GetAtt': [expect.stringMatching(/^AuditTable/), 'Arn'] },
        },
        {
          Action: ['kms:Encrypt', 'kms:Decrypt', 'kms:GenerateDataKey', 'kms:DescribeKey'],
          Effect: 'Allow',
          Resource: { 'Fn::GetAtt': [expect.stringMatching(/^AuditKey/), 'Arn'] },
        },
      ]);
    });

    it('grantRead allows queries and scans of the table and its indexes, and decryption, nothing else', () => {
      const tableArn = { 'Fn::GetAtt': [expect.stringMatching(/^AuditTable/), 'Arn'] };
      expect(grantedTo((audit, role) => audit.grantRead(role))).toEqual([
        {
          Action: ['dynamodb:Query', 'dynamodb:GetItem', 'dynamodb:Scan', 'dynamodb:DescribeTable'],
          Effect: 'Allow',
          Resource: [tableArn, { 'Fn::Join': ['', [tableArn, '/index/*']] }],
        },
        {
          Action: ['kms:Decrypt', 'kms:DescribeKey'],
          Effect: 'Allow',
          Resource: { 'Fn::GetAtt': [expect.stringMatching(/^AuditKey/), 'Arn'] },
        },
      ]);
    });
  });
});
