import { parseArgs } from 'node:util';
import { startSecretsManagerEmulator } from './emulator';

/**
 * Runs the emulator on its own until interrupted:
 *   npx tsx local/secrets-manager/main.ts [--port 4583] [--region us-east-1] [--account 000000000000] [--quiet]
 * RotateSecret needs rotation functions registered in process, so it answers ResourceNotFoundException here.
 */
async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: '4583' },
      region: { type: 'string', default: 'us-east-1' },
      account: { type: 'string', default: '000000000000' },
      quiet: { type: 'boolean', default: false },
    },
  });
  const emulator = await startSecretsManagerEmulator({
    port: Number(values.port),
    region: values.region,
    accountId: values.account,
    log: values.quiet ? undefined : (line) => console.log(line),
  });
  console.log(
    `Secrets Manager emulator listening on ${emulator.endpoint} (${emulator.region}, account ${emulator.accountId})`,
  );
  const stop = (): void => void emulator.close().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

void main();
