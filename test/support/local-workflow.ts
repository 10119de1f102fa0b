import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { LocalHandler } from '../../local/lambda-runner';
import { runStateMachine, stateMachineDefinition, type LocalServices } from '../../local/state-machine';
import { createTablesFromTemplate } from '../../local/tables';
import { captureOutput, lambdaContext } from './lambda-context';

export const LOCAL_ACCOUNT = '000000000000';
export const LOCAL_REGION = 'us-east-1';

type Resources = Record<
  string,
  { Type: string; Properties?: { Environment?: { Variables?: Record<string, unknown> } } }
>;

/**
 * A synthesized stack made runnable for an integration test: its tables created in dynalite, its state
 * machines' definitions resolved to local names, and the functions (by Powertools service name) loaded
 * from source, each call's output captured for leak checks.
 */
export async function localStack(stack: Stack, dynamo: DynamoDBClient) {
  const template = Template.fromStack(stack).toJSON() as { Resources: Resources };
  const tables = await createTablesFromTemplate(dynamo, template as never);
  const arnOf = (logicalId: string) =>
    `arn:aws:lambda:${LOCAL_REGION}:${LOCAL_ACCOUNT}:function:${logicalId}`;
  const isFunction = (id: string) => template.Resources[id]?.Type === 'AWS::Lambda::Function';
  const physical = (id: string, attribute?: string) =>
    tables.get(id) ??
    (isFunction(id) && attribute === 'Arn'
      ? arnOf(id)
      : attribute
        ? `arn:aws:local:${LOCAL_REGION}:${LOCAL_ACCOUNT}:${id}`
        : id);
  const table = (prefix: string) => {
    const found = [...tables.entries()].find(([id]) => id.startsWith(prefix));
    if (!found) throw new Error(`no table ${prefix}* in the template`);
    return found[1];
  };
  const functionId = (service: string) => {
    const id = Object.keys(template.Resources).find(
      (key) =>
        isFunction(key) &&
        template.Resources[key]!.Properties?.Environment?.Variables?.POWERTOOLS_SERVICE_NAME === service,
    );
    if (!id) throw new Error(`no function of service ${service} in the template`);
    return id;
  };
  const definition = (prefix: string) => {
    const id = Object.keys(template.Resources).find(
      (key) => key.startsWith(prefix) && template.Resources[key]!.Type === 'AWS::StepFunctions::StateMachine',
    );
    if (!id) throw new Error(`no state machine ${prefix}* in the template`);
    return stateMachineDefinition(template as never, id, physical);
  };
  let output = '';
  const lambdas = new Map<string, LocalHandler>();
  /** Loads the function of `service` from `functions/<folder>/handler` (after the environment is set). */
  const load = (service: string, folder = service): string => {
    const arn = arnOf(functionId(service));
    const handler = require(`../../functions/${folder}/handler`).handler as LocalHandler;
    lambdas.set(arn, async (event) => {
      const run = await captureOutput(() => handler(event, lambdaContext(service)));
      output += run.output;
      if (run.error) throw run.error;
      return run.result;
    });
    return arn;
  };
  const run = (
    machine: ReturnType<typeof definition>,
    input: unknown,
    name: string,
    services: Omit<LocalServices, 'lambdas'> = {},
  ) =>
    runStateMachine(
      machine,
      input,
      { lambdas, ...services },
      { executionId: `arn:aws:states:${LOCAL_REGION}:${LOCAL_ACCOUNT}:execution:local:${name}` },
    );
  return { template, table, definition, load, run, lambdas, output: () => output };
}
