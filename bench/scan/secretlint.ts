// secretlint, the comparison: the image's layers extracted to disk (each layer in its own folder, so a file a
// later layer overwrites is still there, as it is in the image), then its CLI with the recommend preset.

import { spawn } from 'node:child_process';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { extract } from 'tar-stream';
import type { GeneratedImage } from './image';

/** A finding as the benchmark scores it. */
export interface Located {
  readonly ruleId: string;
  readonly path: string;
  readonly line: number;
}

/** Extracts every layer's regular files under `treeDir/<n>-<layer>/`. Returns the layer folders. */
export async function extractLayers(image: GeneratedImage, treeDir: string): Promise<string[]> {
  const roots: string[] = [];
  for (const [i, layer] of image.layers.entries()) {
    const root = join(treeDir, `${i}-${layer.name}`);
    roots.push(root);
    const tar = extract();
    tar.on('entry', (header, stream, next) => {
      if (header.type !== 'file') {
        stream.on('end', next).resume();
        return;
      }
      const path = join(root, header.name);
      mkdir(dirname(path), { recursive: true })
        .then(() => pipeline(stream, createWriteStream(path)))
        .then(() => next(), next);
    });
    await pipeline(createReadStream(image.blobPaths[i]!), createGunzip(), tar);
  }
  return roots;
}

/** What a secretlint run gave. */
export interface SecretlintRun {
  readonly ms: number;
  readonly maxRssMb: number;
  readonly exitCode: number | null;
  readonly timedOut: boolean;
  readonly findings: Located[];
}

/**
 * Runs secretlint's CLI (its bin under node, as npx would, without npx's own start-up) over the extracted
 * tree with the recommend preset, JSON output to a file. Peak memory: VmHWM of its process, sampled.
 */
export async function runSecretlint(
  workDir: string,
  treeDir: string,
  timeoutMs: number,
): Promise<SecretlintRun> {
  const rc = join(workDir, '.secretlintrc.json');
  await writeFile(rc, JSON.stringify({ rules: [{ id: '@secretlint/secretlint-rule-preset-recommend' }] }));
  const output = join(workDir, 'secretlint.txt');
  const bin = join(__dirname, '..', '..', 'node_modules', 'secretlint', 'bin', 'secretlint.js');
  const started = performance.now();
  // cwd: the repository, so the preset resolves from its node_modules; the tree is named absolutely.
  const child = spawn(
    process.execPath,
    // `--format json` fails on a tree this size (RangeError: Invalid string length: its JSON report holds
    // every file's source), so the line-per-finding `unix` format is parsed instead.
    [
      bin,
      `${treeDir}/**/*`,
      '--format',
      'unix',
      '--output',
      output,
      '--secretlintrc',
      rc,
      '--no-gitignore',
      '--no-color',
    ],
    { cwd: join(__dirname, '..', '..'), stdio: ['ignore', 'ignore', 'inherit'] },
  );
  let hwmKb = 0;
  const sample = setInterval(() => {
    readFile(`/proc/${child.pid}/status`, 'utf8')
      .then((s) => (hwmKb = Math.max(hwmKb, Number(/VmHWM:\s+(\d+)/.exec(s)?.[1] ?? 0))))
      .catch(() => undefined);
  }, 200);
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    child.kill('SIGTERM');
  }, timeoutMs);
  const exitCode = await new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const ms = performance.now() - started;
  clearInterval(sample);
  clearTimeout(timer);
  const findings: Located[] = [];
  if (!timedOut) {
    const report = await readFile(output, 'utf8').catch(() => '');
    // <tree>/<n>-<layer>/<path in the image>:<line>:<column>: <masked message> [Error/<preset> > <rule>]
    for (const m of report.matchAll(/^(.+?):(\d+):\d+: .*\[\w+\/(?:.* > )?([^\]]+)\]$/gm)) {
      const inImage = relative(treeDir, m[1]!).split(sep).slice(1).join('/');
      findings.push({ ruleId: m[3]!, path: inImage, line: Number(m[2]) });
    }
  }
  return { ms, maxRssMb: hwmKb / 1024, exitCode, timedOut, findings };
}
