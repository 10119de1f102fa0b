import { App, Duration, Stack, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as events from 'aws-cdk-lib/aws-events';
import { AwsSolutionsChecks } from 'cdk-nag';
import { AuditTrail } from '../../lib/audit-trail';
import { ManagedFingerprints } from '../../lib/scanning/managed-fingerprints';
import { SprawlScanner } from '../../lib/scanning/scanner';
import { TaskDefinitionScan, type TaskDefinitionScanProps } from '../../lib/scanning/task-definition-scan';
import { NO_BUNDLING, expectNagClean, policyLines } from '../support/synth';

type Props = Omit<TaskDefinitionScanProps, 'audit' | 'findingsTable'>;

function scenario(props: Props = {}, nag = false) {
  const app = new App({ context: NO_BUNDLING });
  if (nag) Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
  const stack = new Stack(app, 'Scanning', { env: { account: '123456789012', region: 'eu-west-1' } });
  const audit = new AuditTrail(stack, 'Audit', { ingestCloudTrail: false });
  const scanner = new SprawlScanner(stack, 'Scanner', { audit, rescan: false });
  const scan = new TaskDefinitionScan(stack, 'TaskDefinitions', {
    audit,
    findingsTable: scanner.findingsTable,
    ...props,
  });
  return { app, stack, scan, template: Template.fromStack(stack) };
}

describe('TaskDefinitionScan', () => {
  const { template } = scenario();

  it('invokes the function on every successful RegisterTaskDefinition that CloudTrail records', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        source: ['aws.ecs'],
        'detail-type': ['AWS API Call via CloudTrail'],
        detail: {
          eventSource: ['ecs.amazonaws.com'],
          eventName: ['RegisterTaskDefinition'],
          errorCode: [{ exists: false }],
        },
      },
      State: 'ENABLED',
    });
  });

  it('passes identifiers only to the function, never the event with its plaintext environment', () => {
    const rules = template.findResources('AWS::Events::Rule', {
      Properties: { EventPattern: { source: ['aws.ecs'] } },
    });
    const [rule] = Object.values(rules);
    const [target] = rule!.Properties.Targets;
    expect(target.InputTransformer.InputPathsMap).toEqual({
      'detail-eventName': '$.detail.eventName',
      'detail-eventID': '$.detail.eventID',
      'detail-eventTime': '$.detail.eventTime',
      'detail-responseElements-taskDefinition-taskDefinitionArn':
        '$.detail.responseElements.taskDefinition.taskDefinitionArn',
      'detail-requestParameters-family': '$.detail.requestParameters.family',
    });
    expect(target.InputTransformer.InputTemplate).not.toMatch(
      /containerDefinitions|environment|aws\.events\.event/,
    );
    expect(target).toMatchObject({
      RetryPolicy: { MaximumRetryAttempts: 8, MaximumEventAgeInSeconds: 86400 },
      DeadLetterConfig: {
        Arn: { 'Fn::GetAtt': [expect.stringMatching(/^TaskDefinitionsDeadLetters/), 'Arn'] },
      },
    });
  });

  it('sweeps daily with { "sweep": true }', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(1 day)',
      Targets: [Match.objectLike({ Input: '{"sweep":true}' })],
    });
  });

  it('takes another schedule, or none', () => {
    scenario({ sweepSchedule: events.Schedule.rate(Duration.hours(6)) }).template.hasResourceProperties(
      'AWS::Events::Rule',
      { ScheduleExpression: 'rate(6 hours)' },
    );
    const none = scenario({ sweep: false }).template;
    expect(
      Object.keys(
        none.findResources('AWS::Events::Rule', { Properties: { ScheduleExpression: Match.anyValue() } }),
      ),
    ).toEqual([]);
  });

  it('gives the function 15 minutes and the tables, bus and sweep settings in its environment', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Description: Match.stringLikeRegexp('ECS task definitions'),
      Timeout: 900,
      Environment: {
        Variables: Match.objectLike({
          FINDINGS_TABLE_NAME: { Ref: Match.stringLikeRegexp('^ScannerFindings') },
          ROTOR_EVENT_BUS_NAME: 'default',
          ROTOR_SWEEP_CONCURRENCY: '4',
          AUDIT_TABLE_NAME: { Ref: Match.stringLikeRegexp('^AuditTable') },
        }),
      },
    });
  });

  it('grants exactly the ECS reads, the findings writes, the audit append and the leak event', () => {
    expect(policyLines(template, 'TaskDefinitionsFunctionRole')).toEqual(
      [
        'dynamodb:PutItem,dynamodb:Query,dynamodb:GetItem on {"Fn::GetAtt":["AuditTable","Arn"]}',
        'dynamodb:PutItem,dynamodb:UpdateItem on {"Fn::GetAtt":["ScannerFindings","Arn"]}',
        'ecs:DescribeTaskDefinition,ecs:ListTaskDefinitionFamilies,ecs:ListTaskDefinitions on "*"',
        'events:PutEvents on {"Fn::Join":["",["arn:",{"Ref":"AWS::Partition"},":events:eu-west-1:123456789012:event-bus/default"]]}',
        'kms:Decrypt,kms:Encrypt,kms:GenerateDataKey on {"Fn::GetAtt":["ScannerKey","Arn"]}',
        'kms:Encrypt,kms:Decrypt,kms:GenerateDataKey,kms:DescribeKey on {"Fn::GetAtt":["AuditKey","Arn"]}',
        'logs:CreateLogStream,logs:PutLogEvents on {"Fn::GetAtt":["TaskDefinitionsFunctionLogs","Arn"]}',
        'sqs:SendMessage on {"Fn::GetAtt":["TaskDefinitionsDeadLetters","Arn"]}',
        'xray:PutTraceSegments,xray:PutTelemetryRecords on "*"',
      ].sort(),
    );
  });

  it('refuses a sweep concurrency out of range', () => {
    expect(() => scenario({ sweepConcurrency: 0 })).toThrow(
      'sweepConcurrency must be an integer from 1 to 20',
    );
  });

  it('passes the cdk-nag AwsSolutions checks', () => {
    expectNagClean(scenario({}, true).app);
  });
});

describe('TaskDefinitionScan with the managed-secret fingerprint store', () => {
  function withFingerprints(nag = false) {
    const app = new App({ context: NO_BUNDLING });
    if (nag) Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
    const stack = new Stack(app, 'Scanning', { env: { account: '123456789012', region: 'eu-west-1' } });
    const audit = new AuditTrail(stack, 'Audit', { ingestCloudTrail: false });
    const scanner = new SprawlScanner(stack, 'Scanner', { audit, rescan: false });
    const fingerprints = new ManagedFingerprints(stack, 'Fingerprints');
    new TaskDefinitionScan(stack, 'TaskDefinitions', {
      audit,
      findingsTable: scanner.findingsTable,
      fingerprints,
    });
    return { app, template: Template.fromStack(stack) };
  }

  it('gives the function the store and key secret to read, and nothing to write there', () => {
    const { template } = withFingerprints();
    template.hasResourceProperties('AWS::Lambda::Function', {
      Description: Match.stringLikeRegexp('ECS task definitions'),
      Environment: {
        Variables: Match.objectLike({
          MANAGED_FINGERPRINTS_TABLE_NAME: { Ref: Match.stringLikeRegexp('^FingerprintsTable') },
          ROTOR_FINGERPRINT_KEY_SECRET_ARN: { Ref: Match.stringLikeRegexp('^FingerprintsKey') },
        }),
      },
    });
    const lines = policyLines(template, 'TaskDefinitionsFunctionRole');
    expect(lines).toContain('dynamodb:GetItem,dynamodb:Scan on {"Fn::GetAtt":["FingerprintsTable","Arn"]}');
    expect(lines).toContain('secretsmanager:GetSecretValue on {"Ref":"FingerprintsKey"}');
    expect(
      lines.filter((l) => l.includes('Fingerprints') && /PutItem|UpdateItem|DeleteItem/.test(l)),
    ).toEqual([]);
  });

  it('passes the cdk-nag AwsSolutions checks', () => {
    expectNagClean(withFingerprints(true).app);
  });
});
