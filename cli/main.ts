#!/usr/bin/env node
import { Command, CommanderError } from 'commander';
import { version } from '../package.json';
import { auditCommand } from './commands/audit';
import { caCommand } from './commands/ca';
import { certCommand } from './commands/cert';
import { localCommand } from './commands/local';
import { rotateCommand } from './commands/rotate';
import { scanCommand } from './commands/scan';
import { UsageError } from './output';
import { runToTheEnd } from './unfinished';

/** Exit codes: 0 success, 1 a problem found (a broken chain, a finding), 2 the command could not do its job. */
export function program(): Command {
  return new Command('rotor')
    .description(
      'Rotor rotates secrets, finds leaked secrets in container images and keeps a tamper-evident audit trail. ' +
        'Deploy it with `npx cdk deploy`; use this command to scan images and folders, read and verify the audit ' +
        'trail, manage the private CA, or run the whole pipeline on this machine with `rotor local`.',
    )
    .version(version)
    .showHelpAfterError('(run with --help for usage)')
    .addCommand(localCommand())
    .addCommand(scanCommand())
    .addCommand(rotateCommand())
    .addCommand(auditCommand())
    .addCommand(caCommand())
    .addCommand(certCommand())
    .addHelpText(
      'after',
      `
Examples:
  rotor local                                 run the pipeline on embedded stand-ins and show what it does
  rotor scan dir:./build --fail-on high       find leaked secrets in a folder; exit 1 on a high or critical finding
  rotor scan 127.0.0.1:5000/shop/web:1.4 --insecure-registry --format sarif --output rotor.sarif
  rotor rotate prod/orders-db --wait           rotate a secret now through the rotation workflow
  rotor audit list --subject prod/orders-db --since 24h
  rotor audit list --type secret.access --json
  rotor audit verify                          verify every chain; exit 1 if one is broken
  rotor ca init --kms-key alias/rotor-ca --subject "CN=Rotor CA" --secret rotor/ca
  rotor cert show prod/api-tls                subject, SANs, serial, days left, chain status

Environment:
  ROTOR_AUDIT_TABLE   the audit table (else --table, else the deployed stack's output)
  ROTOR_ROTATION_WORKFLOW  the rotation state machine ARN (else --workflow, else the stack output)
  AWS_ENDPOINT_URL    send AWS calls to another endpoint (LocalStack, rotor local's stand-ins)`,
    );
}

export async function main(argv = process.argv): Promise<void> {
  const cli = program().exitOverride();
  try {
    await runToTheEnd(() => cli.parseAsync(argv));
  } catch (error) {
    if (error instanceof CommanderError) {
      process.exitCode = error.exitCode === 0 ? 0 : 2;
      return;
    }
    const e = error as Error;
    process.stderr.write(`rotor: ${e instanceof UsageError ? e.message : `${e.name}: ${e.message}`}\n`);
    process.exitCode = 2;
  }
}

if (require.main === module) void main();
