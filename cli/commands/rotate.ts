import { randomUUID } from 'node:crypto';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { DescribeExecutionCommand, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { Command, Option } from 'commander';
import { createOutput, green, red, UsageError } from '../output';

interface RotateFlags {
  reason: 'manual' | 'remediation' | 'schedule';
  workflow?: string;
  stack: string;
  region?: string;
  wait?: boolean;
  timeout: number;
  json?: boolean;
}

/** `rotor rotate <secret>`: start the rotation workflow for one secret, and optionally wait for its end. */
export function rotateCommand(): Command {
  return new Command('rotate')
    .description('rotate a secret now through the rotation workflow (lock, four steps, roll-back, audit)')
    .argument('<secret>', 'the secret name or ARN')
    .addOption(
      new Option('--reason <reason>', 'why, for the audit trail')
        .choices(['manual', 'remediation', 'schedule'])
        .default('manual'),
    )
    .option(
      '--workflow <arn>',
      'the state machine (default: $ROTOR_ROTATION_WORKFLOW, else the stack output RotationWorkflowArn)',
    )
    .option('--stack <name>', 'the deployed stack to read the workflow from', 'Rotor')
    .option('--region <region>', 'the AWS region (default: the SDK default chain)')
    .option('--wait', 'wait until the rotation ends; exit 1 unless it rotated')
    .option('--timeout <seconds>', 'how long --wait waits', (v) => Number(v), 900)
    .option('--json', 'print JSON')
    .action(async (secret: string, flags: RotateFlags) => {
      const out = createOutput(Boolean(flags.json));
      const client = new SFNClient(flags.region ? { region: flags.region } : {});
      const stateMachineArn = await workflowArn(flags);
      const started = await client.send(
        new StartExecutionCommand({
          stateMachineArn,
          name: `rotate-${randomUUID()}`,
          input: JSON.stringify({ secretId: secret, reason: flags.reason }),
        }),
      );
      out.line(`started ${started.executionArn}`);
      if (!flags.wait) {
        out.result({ executionArn: started.executionArn, status: 'RUNNING' });
        return;
      }
      const deadline = Date.now() + flags.timeout * 1000;
      for (;;) {
        const execution = await client.send(
          new DescribeExecutionCommand({ executionArn: started.executionArn }),
        );
        if (execution.status !== 'RUNNING') {
          const output = execution.output
            ? (JSON.parse(execution.output) as { end?: { result?: string; summary?: string } })
            : {};
          const rotated = execution.status === 'SUCCEEDED' && output.end?.result === 'rotated';
          out.line(
            rotated
              ? green(`rotated ${secret}`)
              : red(
                  `${secret}: ${execution.status} ${execution.error ?? ''} ${execution.cause ?? output.end?.summary ?? '(skipped: another rotation holds the lock)'}`,
                ),
          );
          out.result({
            executionArn: started.executionArn,
            status: execution.status,
            result: output.end?.result ?? null,
            error: execution.error ?? null,
          });
          if (!rotated) process.exitCode = 1;
          return;
        }
        if (Date.now() > deadline)
          throw new UsageError(`still running after ${flags.timeout} s: ${started.executionArn}`);
        await new Promise((resolve) => setTimeout(resolve, 2000));
      }
    });
}

async function workflowArn(flags: RotateFlags): Promise<string> {
  if (flags.workflow) return flags.workflow;
  if (process.env.ROTOR_ROTATION_WORKFLOW) return process.env.ROTOR_ROTATION_WORKFLOW;
  try {
    const client = new CloudFormationClient(flags.region ? { region: flags.region } : {});
    const out = await client.send(new DescribeStacksCommand({ StackName: flags.stack }));
    const arn = out.Stacks?.[0]?.Outputs?.find((o) => o.OutputKey === 'RotationWorkflowArn')?.OutputValue;
    if (arn) return arn;
  } catch (error) {
    throw new UsageError(
      `the stack ${flags.stack} could not be read (${(error as Error).name}): pass --workflow or set ROTOR_ROTATION_WORKFLOW`,
    );
  }
  throw new UsageError(
    `the stack ${flags.stack} has no RotationWorkflowArn output: pass --workflow or set ROTOR_ROTATION_WORKFLOW`,
  );
}
