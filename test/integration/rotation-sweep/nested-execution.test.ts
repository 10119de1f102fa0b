import { runStateMachine } from '../../../local/state-machine';

// The local runner's states:startExecution: a nested state machine from the same services, answering as
// Step Functions does for each integration pattern.
const CHILD = 'arn:aws:states:us-east-1:000000000000:stateMachine:Child';
const FAILING = 'arn:aws:states:us-east-1:000000000000:stateMachine:Failing';
const definitions = new Map([
  [
    CHILD,
    {
      StartAt: 'Double',
      States: {
        Double: { Type: 'Pass', Parameters: { 'value.$': 'States.MathAdd($.value, $.value)' }, End: true },
      },
    },
  ],
  [
    FAILING,
    { StartAt: 'Boom', States: { Boom: { Type: 'Fail', Error: 'RotationFailed', Cause: 'no luck' } } },
  ],
]);

const start = (resource: string, arn: string, resultPath: string, next?: string) => ({
  Type: 'Task',
  Resource: `arn:aws:states:::states:${resource}`,
  Parameters: { StateMachineArn: arn, Input: { 'value.$': '$.value' } },
  ResultPath: resultPath,
  ...(next ? { Next: next } : { End: true }),
});

describe('runStateMachine: states:startExecution', () => {
  it('answers .sync:2 with the output parsed, .sync with JSON text, and plain start with the execution ARN', async () => {
    const events: string[] = [];
    const execution = await runStateMachine(
      {
        StartAt: 'Sync2',
        States: {
          Sync2: start('startExecution.sync:2', CHILD, '$.sync2', 'Sync'),
          Sync: start('startExecution.sync', CHILD, '$.sync', 'Async'),
          Async: start('startExecution', CHILD, '$.async'),
        },
      } as never,
      { value: 21 },
      {
        lambdas: new Map(),
        stateMachines: definitions as never,
        onNestedExecution: ({ phase }) => void events.push(phase),
      },
      { executionId: 'arn:aws:states:us-east-1:000000000000:execution:Parent:p1' },
    );
    expect(execution.status).toBe('SUCCEEDED');
    const output = execution.output as Record<string, Record<string, unknown>>;
    expect(output.sync2).toMatchObject({
      Status: 'SUCCEEDED',
      StateMachineArn: CHILD,
      ExecutionArn: expect.stringMatching(/^arn:aws:states:us-east-1:000000000000:execution:Child:/),
      Input: { value: 21 },
      Output: { value: 42 },
    });
    expect(output.sync).toMatchObject({ Input: '{"value":21}', Output: '{"value":42}' });
    expect(Object.keys(output.async).sort()).toEqual(['ExecutionArn', 'StartDate']);
    expect(events.filter((e) => e === 'start')).toHaveLength(3);
  });

  it('fails the task with States.TaskFailed when the nested execution fails, its cause naming the error', async () => {
    const execution = await runStateMachine(
      {
        StartAt: 'Run',
        States: {
          Run: {
            Type: 'Task',
            Resource: 'arn:aws:states:::states:startExecution.sync:2',
            Parameters: { StateMachineArn: FAILING, Input: { 'value.$': '$.value' } },
            ResultPath: '$.run',
            Catch: [{ ErrorEquals: ['States.TaskFailed'], ResultPath: '$.error', Next: 'Caught' }],
            Next: 'Ok',
          },
          Ok: { Type: 'Succeed' },
          Caught: { Type: 'Pass', End: true },
        },
      } as never,
      { value: 1 },
      { lambdas: new Map(), stateMachines: definitions as never },
      { executionId: 'arn:aws:states:us-east-1:000000000000:execution:Parent:p2' },
    );
    expect(execution.states).toEqual(['Run', 'Caught']);
    const error = (execution.output as { error: { Error: string; Cause: string } }).error;
    expect(error.Error).toBe('States.TaskFailed');
    expect(JSON.parse(error.Cause)).toMatchObject({
      Status: 'FAILED',
      Error: 'RotationFailed',
      Cause: 'no luck',
    });
  });

  it('refuses a state machine it was not given', async () => {
    const execution = await runStateMachine(
      { StartAt: 'Run', States: { Run: start('startExecution.sync:2', `${CHILD}-nope`, '$.run') } } as never,
      { value: 1 },
      { lambdas: new Map(), stateMachines: definitions as never },
      { executionId: 'arn:aws:states:us-east-1:000000000000:execution:Parent:p3' },
    );
    expect(execution).toMatchObject({
      status: 'FAILED',
      error: { name: 'StepFunctions.StateMachineDoesNotExistException' },
    });
  });
});
