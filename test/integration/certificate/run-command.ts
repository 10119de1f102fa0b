import { spawn } from 'node:child_process';
import * as path from 'node:path';

const ROOT = path.join(__dirname, '..', '..', '..');

// What cli/main.ts does around a command (its error handling and exit codes), for command modules that
// main.ts does not register yet. Commander is ESM-only, which jest's module loader cannot require, so the
// command runs in a child process through tsx, as cli/bin.js runs the CLI.
const RUNNER = `
require('tsx/cjs/api').register();
const { CommanderError } = require('commander');
const { UsageError } = require('./cli/output.ts');
const [file, exported, ...args] = process.argv.slice(1);
require(file)[exported]().exitOverride().parseAsync(args, { from: 'user' }).catch((error) => {
  if (error instanceof CommanderError) { process.exitCode = error.exitCode === 0 ? 0 : 2; return; }
  process.stderr.write('rotor: ' + (error instanceof UsageError ? error.message : error.name + ': ' + error.message) + '\\n');
  process.exitCode = 2;
});
`;

/** Runs `rotor ca ...` or `rotor cert ...` from its command module, as a user would run the CLI. */
export function runCommand(
  command: 'ca' | 'cert',
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number; stdout: string; stderr: string }> {
  const file = path.join(ROOT, 'cli', 'commands', `${command}.ts`);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-e', RUNNER, file, `${command}Command`, ...args], {
      cwd: ROOT,
      env: { ...process.env, NO_COLOR: '1', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, stdout, stderr });
    });
  });
}
