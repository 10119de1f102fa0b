#!/usr/bin/env node
// The README's test command: type-check, lint, then every jest project (unit, infra, integration).
// Ends with the plain line "N passed, N failed" read from jest's JSON, so a run that executed no test shows.
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';

const results = '.jest-results.json';
const run = (cmd, args) => spawnSync(cmd, args, { stdio: 'inherit', env: process.env }).status ?? 1;

let failedSteps = 0;
for (const [name, cmd, args] of [
  ['typecheck', 'npx', ['tsc', '--noEmit', '-p', 'tsconfig.json']],
  ['lint', 'npx', ['eslint', '.']],
  ['format', 'npx', ['prettier', '--check', '--log-level', 'warn', '.']],
]) {
  console.log(`\n== ${name}`);
  if (run(cmd, args) !== 0) {
    console.error(`${name} failed`);
    failedSteps++;
  }
}

rmSync(results, { force: true });
console.log('\n== jest');
const jestStatus = run('npx', ['jest', '--json', `--outputFile=${results}`, ...process.argv.slice(2)]);

let passed = 0;
let failed = 0;
try {
  const report = JSON.parse(readFileSync(results, 'utf8'));
  passed = report.numPassedTests;
  failed = report.numFailedTests + report.numRuntimeErrorTestSuites;
} catch {
  failed = 1;
}
failed += failedSteps;
console.log(`\n${passed} passed, ${failed} failed`);
process.exit(jestStatus !== 0 || failed > 0 || passed === 0 ? 1 : 0);
