import { AwsServiceError, startAwsJsonServer, type RunningServer } from './aws-json-server';
import {
  runStateMachine,
  type LocalExecution,
  type LocalServices,
  type stateMachineDefinition,
} from './state-machine';

type Definition = ReturnType<typeof stateMachineDefinition>;

/**
 * A Step Functions stand-in for StartExecution and DescribeExecution (AWS JSON, target
 * `AWSStepFunctions`): each execution runs the given definition with the local runner, so `rotor rotate`
 * and other clients of the real SDK can start the template's own state machines on this machine.
 */
export async function startStepFunctionsStandIn(options: {
  readonly machines: ReadonlyMap<string, Definition>;
  readonly services: LocalServices;
  readonly region?: string;
  readonly accountId?: string;
}): Promise<RunningServer & { settled(): Promise<void> }> {
  const region = options.region ?? 'us-east-1';
  const accountId = options.accountId ?? '000000000000';
  const executions = new Map<
    string,
    { input: string; startDate: Date; stopDate?: Date; result?: LocalExecution; done: Promise<void> }
  >();

  const server = await startAwsJsonServer({
    targetPrefix: 'AWSStepFunctions',
    operations: {
      StartExecution: (input) => {
        const arn = String(input.stateMachineArn ?? '');
        const definition = options.machines.get(arn);
        if (!definition)
          throw new AwsServiceError('StateMachineDoesNotExist', `State Machine Does Not Exist: '${arn}'`);
        const name = String(input.name ?? crypto.randomUUID());
        const executionArn = `arn:aws:states:${region}:${accountId}:execution:${arn.split(':').at(-1)}:${name}`;
        if (executions.has(executionArn))
          throw new AwsServiceError('ExecutionAlreadyExists', `Execution Already Exists: '${executionArn}'`);
        const text = typeof input.input === 'string' ? input.input : '{}';
        let parsed: unknown;
        try {
          parsed = JSON.parse(text);
        } catch {
          throw new AwsServiceError('InvalidExecutionInput', 'Invalid State Machine Execution Input');
        }
        const record: {
          input: string;
          startDate: Date;
          stopDate?: Date;
          result?: LocalExecution;
          done: Promise<void>;
        } = {
          input: text,
          startDate: new Date(),
          done: Promise.resolve(),
        };
        record.done = runStateMachine(definition, parsed, options.services, {
          executionId: executionArn,
        }).then((result) => {
          record.result = result;
          record.stopDate = new Date();
        });
        executions.set(executionArn, record);
        return { executionArn, startDate: record.startDate.getTime() / 1000 };
      },
      DescribeExecution: (input) => {
        const executionArn = String(input.executionArn ?? '');
        const record = executions.get(executionArn);
        if (!record)
          throw new AwsServiceError('ExecutionDoesNotExist', `Execution Does Not Exist: '${executionArn}'`);
        const result = record.result;
        return {
          executionArn,
          stateMachineArn: executionArn
            .replace(':execution:', ':stateMachine:')
            .split(':')
            .slice(0, -1)
            .join(':'),
          status: result ? result.status : 'RUNNING',
          startDate: record.startDate.getTime() / 1000,
          ...(record.stopDate ? { stopDate: record.stopDate.getTime() / 1000 } : {}),
          input: record.input,
          ...(result?.status === 'SUCCEEDED' ? { output: JSON.stringify(result.output ?? null) } : {}),
          ...(result?.error ? { error: result.error.name, cause: result.error.message } : {}),
        };
      },
    },
  });
  return Object.assign(server, {
    settled: async () => {
      await Promise.all([...executions.values()].map((e) => e.done));
    },
  });
}
