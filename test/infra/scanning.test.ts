import { App, Duration, Stack, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as events from 'aws-cdk-lib/aws-events';
import { AwsSolutionsChecks } from 'cdk-nag';
import { AuditTrail } from '../../lib/audit-trail';
import { SprawlScanner, type SprawlScannerProps } from '../../lib/scanning/scanner';
import { NO_BUNDLING } from '../support/synth';

type Props = Omit<SprawlScannerProps, 'audit'>;
type Statement = { Action: string | string[]; Effect: string; Resource: unknown };
type State = Record<string, any>;

function scenario(props: Props = {}, nag = false) {
  const app = new App({ context: NO_BUNDLING });
  if (nag) Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
  const stack = new Stack(app, 'Scanning', { env: { account: '123456789012', region: 'eu-west-1' } });
  const audit = new AuditTrail(stack, 'Audit', { ingestCloudTrail: false });
  const scanner = new SprawlScanner(stack, 'Scanner', { audit, ...props });
  return { app, stack, scanner, template: Template.fromStack(stack) };
}

/** A state machine's definition with every CloudFormation token replaced by a marker. */
function definitionOf(template: Template, idPrefix: string): { States: Record<string, State> } {
  const machines = template.findResources('AWS::StepFunctions::StateMachine');
  const [, machine] = Object.entries(machines).find(([id]) => id.startsWith(idPrefix))!;
  const join = machine.Properties.DefinitionString['Fn::Join'] as [string, unknown[]];
  return JSON.parse(join[1].map((part) => (typeof part === 'string' ? part : 'TOKEN')).join(''));
}

function statementsOf(template: Template, rolePrefix: string): Statement[] {
  const policies = template.findResources('AWS::IAM::Policy');
  const [, policy] = Object.entries(policies).find(([id]) =>
    id.startsWith(`${rolePrefix}RoleDefaultPolicy`),
  )!;
  return policy.Properties.PolicyDocument.Statement as Statement[];
}

const allRepositories = {
  'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':ecr:eu-west-1:123456789012:repository/*']],
};
const logs = (id: string) => ({
  Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
  Effect: 'Allow',
  Resource: { 'Fn::GetAtt': [expect.stringMatching(new RegExp(`^Scanner${id}FunctionLogs`)), 'Arn'] },
});
const xray = {
  Action: ['xray:PutTraceSegments', 'xray:PutTelemetryRecords'],
  Effect: 'Allow',
  Resource: '*',
};
const ecrLogin = { Action: 'ecr:GetAuthorizationToken', Effect: 'Allow', Resource: '*' };
const layerCache = { 'Fn::GetAtt': [expect.stringMatching(/^ScannerLayerCache/), 'Arn'] };
const key = { 'Fn::GetAtt': [expect.stringMatching(/^ScannerKey/), 'Arn'] };

describe('SprawlScanner', () => {
  const { template } = scenario();

  it('starts the scan workflow on every successful ECR push', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        source: ['aws.ecr'],
        'detail-type': ['ECR Image Action'],
        detail: { 'action-type': ['PUSH'], result: ['SUCCESS'] },
      },
      Targets: [Match.objectLike({ Arn: { Ref: Match.stringLikeRegexp('^ScannerScanWorkflow') } })],
    });
  });

  it('filters the push rule on the repositories in scope', () => {
    const scoped = scenario({ repositories: ['shop/api', 'shop/web'] }).template;
    scoped.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: Match.objectLike({
        detail: { 'action-type': ['PUSH'], result: ['SUCCESS'], 'repository-name': ['shop/api', 'shop/web'] },
      }),
    });
  });

  it('runs Resolve, a Map of ScanLayer capped at 8, then Merge, with a Catch on each to RecordFailure', () => {
    const { States } = definitionOf(template, 'ScannerScanWorkflow');
    expect(Object.keys(States).sort()).toEqual(
      ['Merge', 'RecordFailure', 'Resolve', 'ScanFailed', 'ScanLayers', 'Scanned'].sort(),
    );
    expect(States.Resolve).toMatchObject({ Next: 'ScanLayers', ResultPath: '$.resolve' });
    expect(States.ScanLayers).toMatchObject({
      Type: 'Map',
      MaxConcurrency: 8,
      ItemsPath: '$.resolve.layers',
      ResultPath: '$.layers',
      Next: 'Merge',
      ItemSelector: {
        'registry.$': '$.resolve.registry',
        'repository.$': '$.resolve.repository',
        'rulesetVersion.$': '$.resolve.rulesetVersion',
        'layer.$': '$$.Map.Item.Value',
      },
    });
    const inner = States.ScanLayers.ItemProcessor.States;
    expect(Object.keys(inner).sort()).toEqual(['LayerFailed', 'ScanLayer']);
    expect(inner.ScanLayer.Catch).toEqual([
      { ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'LayerFailed' },
    ]);
    expect(inner.LayerFailed).toMatchObject({
      Type: 'Pass',
      End: true,
      Parameters: { 'digest.$': '$.layer.digest', error: { 'error.$': '$.error.Error' } },
    });
    expect(States.Merge).toMatchObject({
      Parameters: { 'resolve.$': '$.resolve', 'layers.$': '$.layers' },
      ResultPath: '$.merge',
      Next: 'Scanned',
    });
    for (const name of ['Resolve', 'ScanLayers', 'Merge']) {
      expect(States[name].Catch).toEqual([
        { ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'RecordFailure' },
      ]);
    }
    expect(States.RecordFailure).toMatchObject({ Next: 'ScanFailed', ResultPath: null });
    expect(States.RecordFailure.Parameters.Entries[0]).toMatchObject({
      Source: 'rotor.scanner',
      DetailType: 'Rotor Scan Failed',
      Detail: { 'error.$': '$.error', 'input.$': '$$.Execution.Input', 'execution.$': '$$.Execution.Id' },
    });
    expect(States.ScanFailed.Type).toBe('Fail');
  });

  it('retries throttling and transient errors with jittered backoff on every Lambda task', () => {
    const { States } = definitionOf(template, 'ScannerScanWorkflow');
    const tasks = [States.Resolve, States.ScanLayers.ItemProcessor.States.ScanLayer, States.Merge];
    for (const task of tasks) {
      expect(task.Retry).toEqual([
        {
          ErrorEquals: expect.arrayContaining([
            'Lambda.TooManyRequestsException',
            'Lambda.ServiceException',
            'TransientError',
            'RegistryUnavailableError',
            'ThrottlingException',
            'ProvisionedThroughputExceededException',
          ]),
          IntervalSeconds: 2,
          MaxAttempts: 6,
          BackoffRate: 2,
          MaxDelaySeconds: 60,
          JitterStrategy: 'FULL',
        },
      ]);
    }
  });

  it('takes MaxConcurrency from its props', () => {
    const { States } = definitionOf(scenario({ maxConcurrency: 3 }).template, 'ScannerScanWorkflow');
    expect(States.ScanLayers.MaxConcurrency).toBe(3);
    expect(() => scenario({ maxConcurrency: 0 })).toThrow(/maxConcurrency/);
  });

  it('logs and traces both state machines', () => {
    const machines = template.findResources('AWS::StepFunctions::StateMachine');
    expect(Object.keys(machines)).toHaveLength(2);
    for (const machine of Object.values(machines)) {
      expect(machine.Properties).toMatchObject({
        StateMachineType: 'STANDARD',
        TracingConfiguration: { Enabled: true },
        LoggingConfiguration: { Level: 'ALL', IncludeExecutionData: false },
      });
    }
  });

  it('sizes the functions for large layers', () => {
    const size = (prefix: string) =>
      Object.entries(template.findResources('AWS::Lambda::Function')).find(([id]) =>
        id.startsWith(prefix),
      )![1].Properties;
    expect(size('ScannerResolveFunction')).toMatchObject({ MemorySize: 1024, Timeout: 300 });
    expect(size('ScannerScanLayerFunction')).toMatchObject({ MemorySize: 2048, Timeout: 900 });
    expect(size('ScannerMergeFunction')).toMatchObject({ MemorySize: 1024, Timeout: 600 });
  });

  it('gives Resolve only image reads, the ECR login and cache reads', () => {
    expect(statementsOf(template, 'ScannerResolveFunction')).toEqual([
      logs('Resolve'),
      xray,
      { Action: 'ecr:BatchGetImage', Effect: 'Allow', Resource: allRepositories },
      ecrLogin,
      { Action: 'dynamodb:GetItem', Effect: 'Allow', Resource: layerCache },
      { Action: 'kms:Decrypt', Effect: 'Allow', Resource: key },
    ]);
  });

  it('gives ScanLayer only blob downloads, the ECR login and cache writes', () => {
    expect(statementsOf(template, 'ScannerScanLayerFunction')).toEqual([
      logs('ScanLayer'),
      xray,
      { Action: 'ecr:GetDownloadUrlForLayer', Effect: 'Allow', Resource: allRepositories },
      ecrLogin,
      { Action: 'dynamodb:PutItem', Effect: 'Allow', Resource: layerCache },
      { Action: ['kms:Encrypt', 'kms:GenerateDataKey'], Effect: 'Allow', Resource: key },
    ]);
  });

  it('gives Merge cache reads, findings writes, audit appends and PutEvents on the bus', () => {
    expect(statementsOf(template, 'ScannerMergeFunction')).toEqual([
      logs('Merge'),
      xray,
      { Action: 'ecr:GetDownloadUrlForLayer', Effect: 'Allow', Resource: allRepositories },
      ecrLogin,
      { Action: 'dynamodb:GetItem', Effect: 'Allow', Resource: layerCache },
      {
        Action: ['dynamodb:PutItem', 'dynamodb:UpdateItem'],
        Effect: 'Allow',
        Resource: { 'Fn::GetAtt': [expect.stringMatching(/^ScannerFindings/), 'Arn'] },
      },
      { Action: ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey'], Effect: 'Allow', Resource: key },
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
      {
        Action: 'events:PutEvents',
        Effect: 'Allow',
        Resource: {
          'Fn::Join': [
            '',
            ['arn:', { Ref: 'AWS::Partition' }, ':events:eu-west-1:123456789012:event-bus/default'],
          ],
        },
      },
    ]);
  });

  it('limits the ECR actions to the repositories in scope', () => {
    const scoped = scenario({ repositories: ['shop/api'] }).template;
    expect(statementsOf(scoped, 'ScannerScanLayerFunction')).toContainEqual({
      Action: 'ecr:GetDownloadUrlForLayer',
      Effect: 'Allow',
      Resource: {
        'Fn::Join': [
          '',
          ['arn:', { Ref: 'AWS::Partition' }, ':ecr:eu-west-1:123456789012:repository/shop/api'],
        ],
      },
    });
  });

  it('keeps findings and the layer cache in KMS-encrypted tables with point-in-time recovery', () => {
    const sse = {
      SSEEnabled: true,
      SSEType: 'KMS',
      KMSMasterKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^ScannerKey'), 'Arn'] },
    };
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      KeySchema: [
        { AttributeName: 'fingerprint', KeyType: 'HASH' },
        { AttributeName: 'occurrence', KeyType: 'RANGE' },
      ],
      SSESpecification: sse,
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      DeletionProtectionEnabled: true,
      GlobalSecondaryIndexes: [Match.objectLike({ IndexName: 'by-image' })],
    });
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      KeySchema: [
        { AttributeName: 'digest', KeyType: 'HASH' },
        { AttributeName: 'part', KeyType: 'RANGE' },
      ],
      SSESpecification: sse,
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
    });
    template.hasResourceProperties('AWS::KMS::Key', {
      Description: 'Rotor sprawl scanner: findings and layer cache',
      EnableKeyRotation: true,
    });
  });

  it('rescans the registry weekly through a Distributed Map that starts the scan workflow per image', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(7 days)',
      Targets: [Match.objectLike({ Arn: { Ref: Match.stringLikeRegexp('^ScannerRescanWorkflow') } })],
    });
    const { States } = definitionOf(template, 'ScannerRescanWorkflow');
    expect(States.ListRepositories).toMatchObject({
      Parameters: { MaxResults: 1000 },
      Next: 'ScanRepositories',
    });
    expect(States.ScanRepositories).toMatchObject({
      Type: 'Map',
      ItemProcessor: { ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' } },
      MaxConcurrency: 4,
    });
    const inner = States.ScanRepositories.ItemProcessor.States;
    expect(inner.ListImages.Next).toBe('ScanImages');
    const scanImage = inner.ScanImages.ItemProcessor.States.ScanImage;
    expect(scanImage.Resource).toMatch(/states:::states:startExecution\.sync:2$/);
    expect(scanImage.Parameters.Input).toMatchObject({
      'repository.$': '$.repository',
      'digest.$': '$.digest',
    });
  });

  it('rescans on the given schedule, or not at all', () => {
    const custom = scenario({ rescanSchedule: events.Schedule.rate(Duration.days(1)) }).template;
    custom.hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: 'rate(1 day)' });
    const off = scenario({ rescan: false }).template;
    expect(Object.keys(off.findResources('AWS::StepFunctions::StateMachine'))).toHaveLength(1);
    off.resourcePropertiesCountIs('AWS::Events::Rule', { ScheduleExpression: Match.anyValue() }, 0);
  });

  it.each([
    ['every repository', {}],
    ['some repositories', { repositories: ['shop/api'] }],
    ['no rescan', { rescan: false }],
  ])('passes cdk-nag AwsSolutions with %s', (_name, props: Props) => {
    const { app } = scenario(props, true);
    expect(() => app.synth()).not.toThrow();
  });
});
