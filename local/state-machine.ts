import { StateMachine } from 'aws-local-stepfunctions';
import type { LocalHandler } from './lambda-runner';
import { type CfnTemplate, resolveIntrinsics } from './template';

type StateDefinition = {
  Type: string;
  Resource?: string;
  ItemProcessor?: Definition;
  Iterator?: Definition;
  Branches?: Definition[];
  Timestamp?: string;
  TimestampPath?: string;
};
type Definition = { States: Record<string, StateDefinition> };

/** Every state of a definition, those inside Map and Parallel states included (their names are unique). */
function allStates(definition: Definition): Array<[string, StateDefinition]> {
  return Object.entries(definition.States).flatMap(([name, state]) => [
    [name, state] as [string, StateDefinition],
    ...[state.ItemProcessor, state.Iterator, ...(state.Branches ?? [])]
      .filter((d): d is Definition => Boolean(d))
      .flatMap(allStates),
  ]);
}

/** A state machine's definition from the synthesized template, its `Fn::Join` resolved to local names. */
export function stateMachineDefinition(
  template: CfnTemplate,
  logicalId: string,
  physical: (logicalId: string, attribute?: string) => string,
): Definition {
  const resource = template.Resources[logicalId];
  if (resource?.Type !== 'AWS::StepFunctions::StateMachine')
    throw new Error(`${logicalId} is not a state machine`);
  return JSON.parse(String(resolveIntrinsics(resource.Properties?.DefinitionString, physical))) as Definition;
}

/** What a local run of a state machine needs: the functions by ARN, and where SNS messages go. */
export interface LocalServices {
  readonly lambdas: ReadonlyMap<string, LocalHandler>;
  /**
   * State machines other states may start (`states:startExecution`, `.sync`, `.sync:2`), by ARN: each is run
   * locally with the same services, as a nested execution.
   */
  readonly stateMachines?: ReadonlyMap<string, Definition>;
  /** Told when a nested execution starts and ends (to measure how many run at once). */
  readonly onNestedExecution?: (event: {
    phase: 'start' | 'end';
    executionArn: string;
    status?: string;
  }) => void;
  readonly publish?: (message: { TopicArn?: string; Subject?: string; Message?: string }) => void;
  readonly putEvents?: (entries: unknown[]) => void;
}

/** The outcome of a local execution. */
export interface LocalExecution {
  readonly status: 'SUCCEEDED' | 'FAILED';
  readonly output?: unknown;
  readonly error?: { readonly name: string; readonly message: string };
  /** The states entered, in order. */
  readonly states: string[];
}

const START_EXECUTION = 'arn:aws:states:::states:startExecution';

/**
 * `states:startExecution` run locally: the nested state machine (from `services.stateMachines`) runs with the
 * same services. As on AWS: plain `startExecution` answers `{ ExecutionArn, StartDate }` at once; `.sync`
 * waits and answers DescribeExecution's fields with `Input` and `Output` as JSON text; `.sync:2` the same
 * with them parsed. A nested execution that fails fails the task with `States.TaskFailed`, its cause the
 * description with the nested `Error` and `Cause`.
 */
function startExecutionHandler(
  resource: string,
  stateName: string,
  services: LocalServices,
  options: { retryIntervalMs?: number; waitMs?: number },
) {
  const pattern = resource.slice(START_EXECUTION.length);
  if (!['', '.sync', '.sync:2'].includes(pattern)) {
    throw new Error(`the local runner has no stand-in for ${resource} (state ${stateName})`);
  }
  return async (params: { StateMachineArn?: string; Input?: unknown; Name?: string }) => {
    const arn = String(params.StateMachineArn ?? '');
    const definition = services.stateMachines?.get(arn);
    if (!definition) {
      throw Object.assign(new Error(`State Machine Does Not Exist: '${arn}'`), {
        name: 'StepFunctions.StateMachineDoesNotExistException',
      });
    }
    const executionName = params.Name ?? crypto.randomUUID();
    const executionArn = `${arn.replace(':stateMachine:', ':execution:')}:${executionName}`;
    const input =
      typeof params.Input === 'string' ? (JSON.parse(params.Input) as unknown) : (params.Input ?? {});
    const startDate = Date.now();
    services.onNestedExecution?.({ phase: 'start', executionArn });
    const run = runStateMachine(definition, input, services, {
      executionId: executionArn,
      ...(options.retryIntervalMs === undefined ? {} : { retryIntervalMs: options.retryIntervalMs }),
      ...(options.waitMs === undefined ? {} : { waitMs: options.waitMs }),
    }).then((result) => {
      services.onNestedExecution?.({ phase: 'end', executionArn, status: result.status });
      return result;
    });
    if (pattern === '') {
      void run;
      return { ExecutionArn: executionArn, StartDate: startDate };
    }
    const result = await run;
    const parsed = pattern === '.sync:2';
    const description = {
      ExecutionArn: executionArn,
      StateMachineArn: arn,
      Name: executionName,
      Status: result.status,
      StartDate: startDate,
      StopDate: Date.now(),
      Input: parsed ? input : JSON.stringify(input),
      InputDetails: { Included: true },
      ...(result.status === 'SUCCEEDED'
        ? {
            Output: parsed ? (result.output ?? null) : JSON.stringify(result.output ?? null),
            OutputDetails: { Included: true },
          }
        : { Error: result.error?.name, Cause: result.error?.message }),
    };
    if (result.status !== 'SUCCEEDED') {
      throw Object.assign(new Error(JSON.stringify(description)), { name: 'States.TaskFailed' });
    }
    return description;
  };
}

/**
 * Runs the template's own state machine definition with aws-local-stepfunctions: every Task state is
 * mapped to the local service it names (a Lambda ARN, `lambda:invoke` with a FunctionName, `sns:publish`),
 * so the definition that deploys is the one that runs. Retry intervals and Wait states are shortened, not
 * removed.
 */
export async function runStateMachine(
  definition: Definition,
  input: unknown,
  services: LocalServices,
  options: { executionId: string; retryIntervalMs?: number; waitMs?: number },
): Promise<LocalExecution> {
  const lambda = (arn: string): LocalHandler => {
    const handler = services.lambdas.get(arn);
    if (!handler) throw new Error(`no local function for ${arn}`);
    return handler;
  };
  const handlers: Record<string, (input: never) => Promise<unknown>> = {};
  const retries: Record<string, number> = {};
  const waits: Record<string, number> = {};
  for (const [name, state] of allStates(definition)) {
    // Wait states too are shortened: a local run polls consumers in milliseconds, not half-minutes.
    // A wait until a timestamp (a grace period's end) is kept: the time it waits for is the point.
    if (state.Type === 'Wait' && !state.Timestamp && !state.TimestampPath) waits[name] = options.waitMs ?? 20;
    if (state.Type !== 'Task' || !state.Resource) continue;
    retries[name] = options.retryIntervalMs ?? 10;
    if (state.Resource === 'arn:aws:states:::lambda:invoke') {
      handlers[name] = async (params: { FunctionName: string; Payload: unknown }) => ({
        Payload: await lambda(params.FunctionName)(params.Payload),
      });
    } else if (state.Resource === 'arn:aws:states:::sns:publish') {
      handlers[name] = async (params: { TopicArn?: string; Subject?: string; Message?: string }) => {
        services.publish?.(params);
        return { MessageId: crypto.randomUUID() };
      };
    } else if (state.Resource === 'arn:aws:states:::events:putEvents') {
      handlers[name] = async (params: { Entries?: unknown[] }) => {
        services.putEvents?.(params.Entries ?? []);
        return {
          FailedEntryCount: 0,
          Entries: (params.Entries ?? []).map(() => ({ EventId: crypto.randomUUID() })),
        };
      };
    } else if (state.Resource.startsWith(START_EXECUTION)) {
      handlers[name] = startExecutionHandler(state.Resource, name, services, options);
    } else if (state.Resource.startsWith('arn:aws:lambda:')) {
      const arn = state.Resource;
      handlers[name] = async (payload: unknown) => lambda(arn)(payload);
    } else {
      throw new Error(`the local runner has no stand-in for ${state.Resource} (state ${name})`);
    }
  }
  const machine = new StateMachine(definition as never, { validationOptions: { checkArn: false } });
  const execution = machine.run(input as never, {
    overrides: {
      taskResourceLocalHandlers: handlers as never,
      retryIntervalOverrides: retries,
      waitTimeOverrides: waits,
    },
    context: { Execution: { Id: options.executionId, Name: options.executionId.split(':').at(-1) } } as never,
  });
  const states: string[] = [];
  const collect = (async () => {
    for await (const event of execution.eventLogs) {
      const entered = event as { type?: string; state?: { name?: string } };
      if (entered.type === 'StateEntered' && entered.state?.name) states.push(entered.state.name);
    }
  })();
  try {
    const output = await execution.result;
    await collect;
    return { status: 'SUCCEEDED', output, states };
  } catch (error) {
    await collect.catch(() => undefined);
    const e = error as Error & { cause?: { name?: string; message?: string } };
    return {
      status: 'FAILED',
      error: { name: e.cause?.name ?? e.name, message: e.cause?.message ?? e.message },
      states,
    };
  }
}
