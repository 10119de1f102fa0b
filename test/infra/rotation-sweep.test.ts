import { App, Duration, Stack, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import { AwsSolutionsChecks } from 'cdk-nag';
import { AuditTrail } from '../../lib/audit-trail';
import { RotationSweep } from '../../lib/rotation/rotation-sweep';
import { RotationWorkflow } from '../../lib/rotation/rotation-workflow';
import { stateMachineDefinition } from '../../local/state-machine';
import { bareStack, NO_BUNDLING, policyLines } from '../support/synth';

type State = Record<string, unknown> & { Type: string; Next?: string };

function build(stack: Stack, props: Partial<ConstructorParameters<typeof RotationSweep>[2]> = {}) {
  const audit = new AuditTrail(stack, 'Audit', {});
  const workflow = new RotationWorkflow(stack, 'Rotation', { audit });
  const sweep = new RotationSweep(stack, 'Sweep', { audit, workflow, ...props });
  return { audit, workflow, sweep };
}

describe('RotationSweep', () => {
  const stack = bareStack();
  build(stack);
  const template = Template.fromStack(stack);
  const sweepId = Object.keys(template.findResources('AWS::StepFunctions::StateMachine')).find((id) =>
    id.startsWith('Sweep'),
  )!;
  const definition = stateMachineDefinition(template.toJSON() as never, sweepId, (id, attribute) =>
    attribute ? `${id}.${attribute}` : id,
  ) as unknown as { StartAt: string; States: Record<string, State> };
  const map = definition.States.RotateDue as State & {
    ItemProcessor: { StartAt: string; States: Record<string, State> };
  };

  it('plans, rotates the due secrets through a capped Map, summarizes and loops over the batches', () => {
    expect(definition.StartAt).toBe('Begin');
    expect(definition.States.Begin.Next).toBe('Plan');
    expect(definition.States.Plan.Next).toBe('RotateDue');
    expect(map).toMatchObject({
      Type: 'Map',
      ItemsPath: '$.plan.due',
      MaxConcurrency: 10,
      Next: 'Summarize',
    });
    expect(definition.States.Summarize.Next).toBe('More');
    expect(definition.States.More).toMatchObject({
      Type: 'Choice',
      Choices: [
        {
          And: [
            { Variable: '$.plan.more', BooleanEquals: true },
            { Variable: '$.plan.batch', NumericLessThan: 4 },
          ],
          Next: 'NextBatch',
        },
      ],
      Default: 'Done',
    });
    expect(definition.States.NextBatch.Next).toBe('Plan');
  });

  it('starts each rotation synchronously (.sync:2) and catches a failure per item', () => {
    const start = map.ItemProcessor.States.StartRotation;
    expect(map.ItemProcessor.StartAt).toBe('StartRotation');
    expect(start).toMatchObject({
      Type: 'Task',
      Resource: 'arn:aws:states:::states:startExecution.sync:2',
      Parameters: {
        StateMachineArn: expect.stringMatching(/^Rotation[0-9A-F]{8}$/),
        Input: {
          'secretId.$': '$.secretId',
          'reason.$': '$.reason',
          'AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID.$': '$$.Execution.Id',
        },
      },
      Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'RotationFailed' }],
      Next: 'Outcome',
    });
    expect(map.ItemProcessor.States.RotationFailed).toMatchObject({
      Type: 'Pass',
      Parameters: { 'secretId.$': '$.secretId', result: 'failed', 'error.$': '$.error.Error' },
      End: true,
    });
  });

  it('retries the sweep function on throttling and transient errors with jitter', () => {
    expect(definition.States.Plan.Retry).toEqual([
      expect.objectContaining({
        ErrorEquals: expect.arrayContaining(['SecretStoreUnavailableError', 'ChainContentionError']),
        JitterStrategy: 'FULL',
      }),
    ]);
  });

  it('is started daily by EventBridge Scheduler with a flexible window', () => {
    template.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'cron(0 3 * * ? *)',
      FlexibleTimeWindow: { Mode: 'FLEXIBLE', MaximumWindowInMinutes: 15 },
      Target: Match.objectLike({ Arn: { Ref: sweepId }, Input: '{}' }),
    });
  });

  it('lets the sweep start only the rotation workflow, and follow only its executions', () => {
    expect(policyLines(template, 'SweepRole')).toEqual([
      'events:PutTargets,events:PutRule,events:DescribeRule on {"Fn::Join":["",["arn:",{"Ref":"AWS::Partition"},":events:eu-west-1:123456789012:rule/StepFunctionsGetEventsForStepFunctionsExecutionRule"]]}',
      expect.stringMatching(/^lambda:InvokeFunction on \[.*SweepFunction.*\]$/),
      expect.stringMatching(/^logs:CreateLogDelivery,.* on "\*"$/),
      'states:DescribeExecution,states:StopExecution on {"Fn::Join":["",["arn:",{"Ref":"AWS::Partition"},":states:eu-west-1:123456789012:execution:",{"Fn::Select":[6,{"Fn::Split":[":",{"Ref":"Rotation"}]}]},"*"]]}',
      'states:StartExecution on {"Ref":"Rotation"}',
      'xray:PutTraceSegments,xray:PutTelemetryRecords,xray:GetSamplingRules,xray:GetSamplingTargets on "*"',
    ]);
  });

  it('lets the scheduler start the sweep and nothing else', () => {
    expect(policyLines(template, 'SchedulerRoleForTarget')).toEqual([
      'states:StartExecution on {"Ref":"Sweep"}',
    ]);
  });

  it('lets the sweep function list secrets (metadata only) and append to the audit trail, nothing else', () => {
    const lines = policyLines(template, 'SweepFunctionRole');
    expect(lines).toContain('secretsmanager:ListSecrets on "*"');
    expect(lines.filter((l) => l.startsWith('secretsmanager:'))).toEqual([
      'secretsmanager:ListSecrets on "*"',
    ]);
    expect(lines.some((l) => /GetSecretValue|PutSecretValue|states:/.test(l))).toBe(false);
    expect(lines).toContain(
      'dynamodb:PutItem,dynamodb:Query,dynamodb:GetItem on {"Fn::GetAtt":["AuditTable","Arn"]}',
    );
  });

  it('takes its cap, schedule and window from props, and refuses a cap of 0 (none at all) or past the inline Map limit of 40', () => {
    const other = bareStack();
    build(other, {
      maxConcurrency: 3,
      schedule: scheduler.ScheduleExpression.rate(Duration.hours(12)),
      flexibleWindow: Duration.hours(1),
    });
    const t = Template.fromStack(other);
    expect(JSON.stringify(t.findResources('AWS::StepFunctions::StateMachine'))).toContain(
      '\\"MaxConcurrency\\":3',
    );
    t.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'rate(12 hours)',
      FlexibleTimeWindow: { Mode: 'FLEXIBLE', MaximumWindowInMinutes: 60 },
    });
    expect(() => build(bareStack(), { maxConcurrency: 0 })).toThrow(/from 1 to 40/);
    expect(() => build(bareStack(), { maxConcurrency: 100 })).toThrow(/from 1 to 40/);
  });

  it('adds no cdk-nag finding (each acknowledgement carries its reason)', () => {
    const app = new App({ context: NO_BUNDLING });
    const nagged = new Stack(app, 'Nagged', { env: { account: '123456789012', region: 'eu-west-1' } });
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: false }));
    build(nagged);
    // Only the sweep's own findings count here: the workflow has its own stack test.
    const spy = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    let report = '';
    try {
      app.synth({ force: true });
    } catch (error) {
      report = (error as Error).message;
    } finally {
      spy.mockRestore();
    }
    expect(report).not.toContain('Nagged/Sweep/');
  });
});
