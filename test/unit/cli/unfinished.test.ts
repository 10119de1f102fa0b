import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const TSX = join(__dirname, '..', '..', '..', 'node_modules', '.bin', 'tsx');
const MODULE = join(__dirname, '..', '..', '..', 'cli', 'unfinished.ts');

/** Runs `work` (a function body) under runToTheEnd in a fresh process. */
function run(work: string) {
  const script = `const { runToTheEnd } = require(${JSON.stringify(MODULE)});
runToTheEnd(() => ${work}).then((v) => console.log('done', v));`;
  return spawnSync(TSX, ['-e', script], { encoding: 'utf8', timeout: 30_000 });
}

describe('runToTheEnd', () => {
  it('exits 2 with a message when the work never settles and nothing is left to wait for', () => {
    const result = run('new Promise(() => {})');
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('rotor: the command stopped before it finished');
    expect(result.stdout).not.toContain('done');
  });

  it('leaves a command that finishes alone, whatever waits after it', () => {
    const result = run("new Promise((resolve) => setTimeout(() => resolve('ok'), 50))");
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('done ok');
    expect(result.stderr).not.toContain('rotor:');
  });
});
