import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { UsageError } from './output';

/**
 * The CLI talks to AWS through the default credential chain and region. `AWS_ENDPOINT_URL` (or
 * `AWS_ENDPOINT_URL_DYNAMODB`) points it at any other endpoint, such as `rotor local`'s stand-ins; the SDK
 * reads those variables itself.
 */
export function dynamoClient(region?: string): DynamoDBClient {
  return new DynamoDBClient(region ? { region } : {});
}

/** The audit table's name: the flag, else ROTOR_AUDIT_TABLE, else the deployed stack's `AuditTableName` output. */
export async function auditTableName(options: {
  table?: string;
  stack?: string;
  region?: string;
}): Promise<string> {
  if (options.table) return options.table;
  if (process.env.ROTOR_AUDIT_TABLE) return process.env.ROTOR_AUDIT_TABLE;
  const stackName = options.stack ?? 'Rotor';
  try {
    const client = new CloudFormationClient(options.region ? { region: options.region } : {});
    const out = await client.send(new DescribeStacksCommand({ StackName: stackName }));
    const name = out.Stacks?.[0]?.Outputs?.find((o) => o.OutputKey === 'AuditTableName')?.OutputValue;
    if (name) return name;
  } catch (error) {
    throw new UsageError(
      `no audit table given and the stack ${stackName} could not be read (${(error as Error).name}): pass --table or set ROTOR_AUDIT_TABLE`,
    );
  }
  throw new UsageError(
    `the stack ${stackName} has no AuditTableName output: pass --table or set ROTOR_AUDIT_TABLE`,
  );
}
