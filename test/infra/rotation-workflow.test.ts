import { Match } from 'aws-cdk-lib/assertions';
import { addDatabaseDemo } from '../../local/demo/database-stack';
import { buildApp } from '../../lib/app';
import { Template } from 'aws-cdk-lib/assertions';
import { NO_BUNDLING } from '../support/synth';

function synth() {
  const { app, stack } = buildApp({ context: NO_BUNDLING, nag: false });
  addDatabaseDemo(stack);
  return { app, template: Template.fromStack(stack) };
}

describe('RotationWorkflow', () => {
  const { template } = synth();
  const [machine] = Object.values(template.findResources('AWS::StepFunctions::StateMachine'));
  const definitionText = JSON.stringify(machine.Properties.DefinitionString);

  it('is a standard state machine with logging and tracing', () => {
    template.hasResourceProperties('AWS::StepFunctions::StateMachine', {
      StateMachineType: 'STANDARD',
      TracingConfiguration: { Enabled: true },
      LoggingConfiguration: Match.objectLike({ Level: 'ALL', IncludeExecutionData: false }),
    });
  });

  it('runs begin, the four steps, and end, with a roll-back path and a skip when locked', () => {
    for (const state of [
      'Begin',
      'CreateSecret',
      'SetSecret',
      'TestSecret',
      'FinishSecret',
      'End',
      'Abandon',
      'EndRolledBack',
      'Notify',
      'EndFailed',
      'Skipped',
    ]) {
      expect(definitionText).toContain(`\\"${state}\\":{`);
    }
    expect(definitionText).toContain('\\"Step\\":\\"abandonSecret\\"');
    expect(definitionText).toContain('\\"ErrorEquals\\":[\\"LockHeldError\\"]');
    expect(definitionText).toContain('\\"JitterStrategy\\":\\"FULL\\"');
    expect(definitionText).toContain('\\"FunctionName.$\\":\\"$.began.rotationFunctionArn\\"');
  });

  it('may invoke only its control function and the rotation functions of the secrets it manages', () => {
    const policies = Object.values(
      template.findResources('AWS::IAM::Policy', {
        Properties: { Roles: [{ Ref: Match.stringLikeRegexp('^RotationRole') }] },
      }),
    );
    const invokes = policies
      .flatMap((p) => p.Properties.PolicyDocument.Statement)
      .filter((s: { Action: string | string[] }) =>
        ([] as string[]).concat(s.Action).includes('lambda:InvokeFunction'),
      )
      .flatMap((s: { Resource: unknown }) => ([] as unknown[]).concat(s.Resource))
      .map((r) => JSON.stringify(r));
    expect(invokes.length).toBeGreaterThan(0);
    for (const resource of invokes) expect(resource).toMatch(/RotationControl|RotateDatabasePostgres/);
  });

  it('keeps locks in a KMS-encrypted table with an expiry, and notifies through a KMS-encrypted topic', () => {
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      KeySchema: [{ AttributeName: 'lockKey', KeyType: 'HASH' }],
      TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
      SSESpecification: Match.objectLike({ SSEEnabled: true, SSEType: 'KMS' }),
    });
    template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: Match.anyValue() });
  });

  it('lets the control function describe the managed secret, and touch only the lock table and the audit trail', () => {
    const [policy] = Object.values(
      template.findResources('AWS::IAM::Policy', {
        Properties: { Roles: [{ Ref: Match.stringLikeRegexp('^RotationControlRole') }] },
      }),
    );
    const actions = policy.Properties.PolicyDocument.Statement.map((s: { Action: string | string[] }) =>
      ([] as string[]).concat(s.Action).join(','),
    );
    expect(actions.sort()).toEqual(
      [
        'logs:CreateLogStream,logs:PutLogEvents',
        'xray:PutTraceSegments,xray:PutTelemetryRecords',
        'dynamodb:PutItem,dynamodb:DeleteItem',
        'dynamodb:PutItem,dynamodb:Query,dynamodb:GetItem',
        'kms:Encrypt,kms:Decrypt,kms:GenerateDataKey,kms:DescribeKey',
        'secretsmanager:DescribeSecret',
      ].sort(),
    );
  });
});
