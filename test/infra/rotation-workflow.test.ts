import { Match } from 'aws-cdk-lib/assertions';
import { addDemoSecrets } from '../../local/demo/demo-stack';
import { buildApp } from '../../lib/app';
import { Template } from 'aws-cdk-lib/assertions';
import { NO_BUNDLING } from '../support/synth';
import { stateMachineDefinition } from '../../local/state-machine';

function synth() {
  const { app, stack } = buildApp({ context: NO_BUNDLING, nag: false });
  addDemoSecrets(stack);
  return { app, template: Template.fromStack(stack) };
}

describe('RotationWorkflow', () => {
  const { template } = synth();
  const [machine] = Object.values(template.findResources('AWS::StepFunctions::StateMachine'));
  const definitionText = JSON.stringify(machine.Properties.DefinitionString);
  const machineId = Object.keys(template.findResources('AWS::StepFunctions::StateMachine')).find((id) =>
    id.startsWith('Rotation'),
  )!;
  const definition = stateMachineDefinition(template.toJSON() as never, machineId, (id) => id) as unknown as {
    States: Record<string, Record<string, unknown>>;
  };
  const state = (name: string) => definition.States[name] as Record<string, never>;

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

  it('after finishSecret refreshes the consumers in a Wait loop, and revokes only once they all moved', () => {
    expect(state('FinishSecret').Next).toBe('UpdateFingerprints');
    // The scanner learns the new value; a failure there does not stop the rotation.
    expect(state('UpdateFingerprints')).toMatchObject({
      Next: 'StartConsumers',
      Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.fingerprintsError', Next: 'StartConsumers' }],
    });
    expect(state('StartConsumers').Next).toBe('ConsumersMoved?');
    const choice = state('ConsumersMoved?') as unknown as {
      Choices: Array<{ Variable: string; BooleanEquals: boolean; Next: string }>;
      Default: string;
    };
    expect(choice.Choices).toEqual([
      { Variable: '$.consumers.waiting', BooleanEquals: true, Next: 'WaitForConsumers' },
      { Variable: '$.consumers.revocable', BooleanEquals: true, Next: 'Revoke' },
    ]);
    expect(choice.Default).toBe('EndConsumersFailed');
    expect(state('WaitForConsumers')).toMatchObject({ Seconds: 30, Next: 'CheckConsumers' });
    expect(state('CheckConsumers').Next).toBe('ConsumersMoved?');
    // ECS failing leaves the consumers unknown: the previous credential is kept then too.
    for (const name of ['StartConsumers', 'CheckConsumers']) {
      expect(state(name).Catch).toEqual([
        { ErrorEquals: ['States.ALL'], ResultPath: '$.consumersError', Next: 'ConsumersUnknown' },
      ]);
    }
    expect(state('ConsumersUnknown').Next).toBe('EndConsumersFailed');
    expect(state('EndConsumersFailed').Next).toBe('NotifyConsumers');
    expect(state('NotifyConsumers').Next).toBe('ConsumersDidNotMove');
    expect(state('ConsumersDidNotMove')).toMatchObject({ Type: 'Fail', Error: 'ConsumerRefreshFailed' });
  });

  it('revokes with the trigger Begin chose, waits out a deferral, and rotates again for remediation', () => {
    expect(state('Revoke')).toMatchObject({
      Parameters: {
        Payload: {
          Step: 'revokePrevious',
          'Trigger.$': '$.began.revokeTrigger',
          'ConsumersMovedAt.$': '$.consumers.settledAt',
          GracePeriodSeconds: 1800,
        },
      },
      Next: 'Revoked?',
    });
    expect(state('WaitForGracePeriod')).toMatchObject({
      TimestampPath: '$.steps.revokePrevious.revocation.notBefore',
      Next: 'Revoke',
    });
    expect(state('End').Next).toBe('RotateAgain?');
    expect(state('RotateAgain')).toMatchObject({
      Parameters: { leakedStage: 'AWSPREVIOUS', followUp: true },
      Next: 'Begin',
    });
  });

  it('times out with the lock, so that a lock never expires under a running rotation', () => {
    expect(definition).toMatchObject({ TimeoutSeconds: 3 * 3600 });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({ LOCK_TTL_SECONDS: '10800', CONSUMER_TIMEOUT_SECONDS: '1800' }),
      },
    });
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
    for (const resource of invokes)
      expect(resource).toMatch(
        /RotationControl|FingerprintsUpdater|RotateDatabasePostgres|RotateApiKey|RotateCertificate/,
      );
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
        'ecs:ListClusters,ecs:ListServices,ecs:DescribeServices,ecs:DescribeTaskDefinition',
        'ecs:UpdateService',
        'kms:Encrypt,kms:Decrypt,kms:GenerateDataKey,kms:DescribeKey',
        // The three demo secrets, each its own statements: describe, and tag rotor:rotated-at only.
        ...Array<string>(3).fill('secretsmanager:DescribeSecret'),
        ...Array<string>(3).fill('secretsmanager:TagResource'),
      ].sort(),
    );
    const tagging = policy.Properties.PolicyDocument.Statement.filter(
      (st: { Action: string }) => st.Action === 'secretsmanager:TagResource',
    );
    expect(tagging[0].Condition).toEqual({
      'ForAllValues:StringEquals': { 'aws:TagKeys': ['rotor:rotated-at'] },
    });
    expect(tagging.map((st: { Resource: unknown }) => JSON.stringify(st.Resource))).toEqual(
      expect.arrayContaining([expect.stringContaining('LocalDemoOrdersDbSecret')]),
    );
  });
});
