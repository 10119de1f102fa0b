// Detection alone, without gunzip or tar: loads every file of an OCI layout's gzip layers into memory once,
// then times the detector over them (in-thread), and optionally each rule's pattern on its own.
// Run: npx tsx bench/scan/detect-profile.ts <oci-dir> [--rules] [--rounds=N]
// Made for profiling the detector (`npx node --cpu-prof --import tsx bench/scan/detect-profile.ts ...`).
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { extract } from 'tar-stream';
import { Readable } from 'node:stream';
import { createDetector } from '../../core/scanning/detect';
import { looksBinary } from '../../core/scanning/detect/binary';
import { compileRules } from '../../core/scanning/detect/compiled-rule';
import { BUILTIN_RULES } from '../../core/scanning/rules/builtin';

interface LoadedFile {
  readonly path: string;
  readonly bytes: Uint8Array;
}

async function load(dir: string): Promise<LoadedFile[]> {
  const blobsDir = join(dir, 'blobs', 'sha256');
  const out: LoadedFile[] = [];
  for (const name of await readdir(blobsDir)) {
    const blob = await readFile(join(blobsDir, name));
    if (blob[0] !== 0x1f || blob[1] !== 0x8b) continue;
    const tar = extract();
    const done = new Promise<void>((resolve, reject) => {
      tar.on('entry', (header, stream, next) => {
        const parts: Buffer[] = [];
        stream.on('data', (c: unknown) => void parts.push(c as Buffer));
        stream.on('end', () => {
          if (header.type === 'file') out.push({ path: header.name, bytes: Buffer.concat(parts) });
          next();
        });
      });
      tar.on('finish', resolve);
      tar.on('error', reject);
    });
    Readable.from([gunzipSync(blob)]).pipe(tar);
    await done;
  }
  return out;
}

async function main(): Promise<void> {
  const dir = process.argv[2]!;
  const perRule = process.argv.includes('--rules');
  const rounds = Number(/--rounds=(\d+)/.exec(process.argv.join(' '))?.[1] ?? 1);
  const files = await load(dir);
  const total = files.reduce((n, f) => n + f.bytes.length, 0);
  const text = files.filter((f) => !looksBinary(f.bytes.subarray(0, 8192), f.bytes.length <= 8192));
  const textBytes = text.reduce((n, f) => n + f.bytes.length, 0);
  console.log(
    `${files.length} files, ${(total / 2 ** 20).toFixed(0)} MiB; text ${text.length} files, ${(textBytes / 2 ** 20).toFixed(0)} MiB`,
  );
  const detector = createDetector();
  for (let round = 0; round < rounds; round++) {
    const t = performance.now();
    const cpu = process.cpuUsage();
    let findings = 0;
    for (const f of files) {
      findings += (
        await detector.scanFile({
          location: { path: f.path },
          chunks: (async function* () {
            for (let at = 0; at < f.bytes.length; at += 65536) yield f.bytes.subarray(at, at + 65536);
          })(),
        })
      ).length;
    }
    const ms = performance.now() - t;
    const used = process.cpuUsage(cpu);
    const cpuMs = (used.user + used.system) / 1000;
    console.log(
      `detector: ${ms.toFixed(0)} ms wall, ${cpuMs.toFixed(0)} ms CPU, ${(total / 2 ** 20 / (cpuMs / 1000)).toFixed(0)} MiB/s of all bytes per CPU second, ${findings} findings`,
    );
  }
  if (!perRule) return;
  const decoder = new TextDecoder();
  const texts = text.map((f) => decoder.decode(f.bytes));
  const times: Array<[string, number, number]> = [];
  for (const rule of compileRules(BUILTIN_RULES)) {
    const t = performance.now();
    let matches = 0;
    for (const s of texts) {
      rule.regex.lastIndex = 0;
      while (rule.regex.exec(s) !== null) matches++;
    }
    times.push([rule.rule.id, performance.now() - t, matches]);
  }
  times.sort((a, b) => b[1] - a[1]);
  for (const [id, ms, matches] of times.slice(0, 30))
    console.log(`${id.padEnd(36)} ${ms.toFixed(0).padStart(6)} ms ${matches} matches`);
  console.log(`all rules, whole texts: ${times.reduce((n, t) => n + t[1], 0).toFixed(0)} ms`);
}

void main();
