import { readFileSync, writeFileSync } from 'node:fs';
import { ECRClient } from '@aws-sdk/client-ecr';
import { Command, Option } from 'commander';
import {
  ecrCredentialProvider,
  openTarget,
  parseEcrRegistry,
  type OpenTargetOptions,
} from '../../adapters/registry';
import { BUILTIN_RULES, createDetector, parseUserRules, type Rule } from '../../core/scanning/detect';
import { scanTarget, type ScanResult } from '../../core/scanning/image/scan';
import { parseTarget } from '../../core/scanning/image/target';
import { scanTaskDefinitionText, taskDefinitionFileOf } from '../../core/scanning/task-definition/cli';
import { availableParallelism } from 'node:os';
import { DetectorPool } from '../../adapters/detector-pool';
import { atLeast, toSarif, toTable } from '../../core/scanning/report';
import { SEVERITIES, type Severity } from '../../core/scanning/types';
import { version } from '../../package.json';
import { defaultWorkers } from '../default-workers';
import { progressBar } from '../progress';
import { UsageError } from '../output';

interface ScanFlags {
  format: 'table' | 'json' | 'sarif';
  output?: string;
  failOn: Severity;
  insecureRegistry?: boolean;
  registryUsername?: string;
  rules?: string;
  concurrency: number;
  workers?: number;
  progress: boolean;
}

/** `rotor scan`: find leaked secrets in an image, a registry repository or a folder; gate CI on the result. */
export function scanCommand(): Command {
  return new Command('scan')
    .description(
      'find leaked secrets in a container image or a folder; exit 1 when a finding reaches --fail-on',
    )
    .argument(
      '<target>',
      'oci:<dir>[:tag], docker-archive:<file>, dir:<path>, ecs-task-definition:<file.json>, or a registry reference host/repo:tag or host/repo@sha256:...',
    )
    .addOption(
      new Option('--format <format>', 'how to report').choices(['table', 'json', 'sarif']).default('table'),
    )
    .option('--output <file>', 'write the report to a file instead of stdout')
    .addOption(
      new Option('--fail-on <severity>', 'exit 1 when a finding is at least this severe')
        .choices([...SEVERITIES])
        .default('low'),
    )
    .option('--insecure-registry', 'plain HTTP to a registry on this machine (127.0.0.1, localhost)')
    .option(
      '--registry-username <name>',
      'Basic auth user for the registry; the password comes from $ROTOR_REGISTRY_PASSWORD',
    )
    .option('--rules <file>', "a JSON file of extra rules, in the built-in rules' shape")
    .option('--concurrency <n>', 'layers scanned at once', (v) => Number(v), 3)
    .option(
      '--workers <n>',
      'detection in n worker threads, 0 in this thread (default: one a core but one, at most 3)',
      (v) => Number(v),
    )
    .option('--no-progress', 'no progress bar, even on a terminal')
    .addHelpText(
      'after',
      `
Exit codes: 0 nothing at or above --fail-on, 1 findings at or above it, 2 could not scan (the reason on stderr).
ECR registries (<account>.dkr.ecr.<region>.amazonaws.com) are authenticated with GetAuthorizationToken.

Examples:
  rotor scan dir:./build --fail-on high
  rotor scan docker-archive:app.tar --format sarif --output rotor.sarif
  rotor scan 127.0.0.1:5000/shop/web:1.4 --insecure-registry
  aws ecs describe-task-definition --task-definition web > td.json && rotor scan ecs-task-definition:td.json`,
    )
    .action(async (text: string, flags: ScanFlags) => {
      const result = await runScan(text, flags);
      const report = render(result, flags.format);
      if (flags.output) writeFileSync(flags.output, report);
      else process.stdout.write(report.endsWith('\n') ? report : `${report}\n`);
      for (const problem of result.errors)
        process.stderr.write(
          `rotor: could not scan ${problem.layerDigest ?? problem.path ?? ''}: ${problem.error}: ${problem.message}\n`,
        );
      const failing = result.findings.filter((f) => atLeast(f.severity, flags.failOn)).length;
      if (result.errors.length > 0 && result.findings.length === 0 && result.stats.files === 0)
        process.exitCode = 2;
      else if (failing > 0) process.exitCode = 1;
    });
}

/** Opens the target, scans it with the built-in (and the user's) rules, showing progress on a terminal. */
export async function runScan(
  text: string,
  flags: Pick<ScanFlags, 'insecureRegistry' | 'registryUsername' | 'rules' | 'concurrency' | 'progress'> &
    Partial<Pick<ScanFlags, 'workers'>>,
): Promise<ScanResult> {
  const rulesText = flags.rules ? readFileSync(flags.rules, 'utf8') : undefined;
  const rules: Rule[] = [...BUILTIN_RULES, ...(rulesText ? parseUserRules(rulesText) : [])];
  const workers = flags.workers ?? defaultWorkers(availableParallelism());
  if (!Number.isInteger(workers) || workers < 0) throw new UsageError('--workers must be a whole number');
  const taskDefinitionFile = taskDefinitionFileOf(text);
  if (taskDefinitionFile !== undefined) return scanTaskDefinitionFile(text, taskDefinitionFile, rules);
  let target;
  try {
    target = parseTarget(text);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  if (!Number.isInteger(flags.concurrency) || flags.concurrency < 1)
    throw new UsageError('--concurrency must be a positive whole number');
  const options: OpenTargetOptions = { insecure: Boolean(flags.insecureRegistry) };
  if (target.kind === 'registry') {
    const ecr = parseEcrRegistry(target.registry);
    if (ecr)
      Object.assign(options, {
        credentials: ecrCredentialProvider(new ECRClient({ region: ecr.region }), {
          registryId: ecr.accountId,
        }),
      });
    else if (flags.registryUsername) {
      const password = process.env.ROTOR_REGISTRY_PASSWORD;
      if (!password)
        throw new UsageError('--registry-username needs the password in $ROTOR_REGISTRY_PASSWORD');
      Object.assign(options, { credentials: { username: flags.registryUsername, password } });
    }
  }
  const bar = flags.progress ? progressBar() : { update: () => undefined, done: () => undefined };
  // Measured (bench/RESULTS.md): workers win when a core is free and tie on a loaded machine.
  const pool =
    workers > 0 ? DetectorPool.start({ workers, ...(rulesText ? { userRules: rulesText } : {}) }) : undefined;
  try {
    return await scanTarget(target, {
      detector: pool ?? createDetector({ rules }),
      source: await openTarget(target, options),
      concurrency: flags.concurrency,
      onProgress: (p) => bar.update(p),
    });
  } finally {
    bar.done();
    await pool?.close();
  }
}

/** `ecs-task-definition:<file.json>`: a task definition's plaintext environment, as ECS would hold it. */
function scanTaskDefinitionFile(target: string, file: string, rules: Rule[]): ScanResult {
  const started = Date.now();
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new UsageError(`cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? 'error'}`);
  }
  const scan = scanTaskDefinitionText(text, { detector: createDetector({ rules }) });
  return {
    target,
    findings: [...scan.findings],
    errors: [],
    stats: {
      manifests: 0,
      layers: 0,
      layersCached: 0,
      layersFailed: 0,
      files: 1,
      bytesCompressed: Buffer.byteLength(text),
      bytesUncompressed: Buffer.byteLength(text),
      durationMs: Date.now() - started,
    },
  };
}

function render(result: ScanResult, format: ScanFlags['format']): string {
  switch (format) {
    case 'json':
      return JSON.stringify(
        { target: result.target, findings: result.findings, errors: result.errors, stats: result.stats },
        null,
        2,
      );
    case 'sarif':
      return JSON.stringify(
        toSarif(
          result.findings,
          BUILTIN_RULES.map((r) => ({ id: r.id, title: r.title, severity: r.severity })),
          { version },
        ),
        null,
        2,
      );
    case 'table': {
      const s = result.stats;
      const scanned = `${result.target}: ${s.manifests ? `${s.manifests} image${s.manifests === 1 ? '' : 's'}, ${s.layers} layers (${s.layersCached} cached), ` : ''}${s.files} files, ${(s.bytesUncompressed / 1024 / 1024).toFixed(1)} MB in ${(s.durationMs / 1000).toFixed(1)} s`;
      return `${toTable(result.findings)}\n${scanned}`;
    }
  }
}
