import { join } from 'node:path';
import fc from 'fast-check';
import {
  DetectorPool,
  DetectorPoolClosedError,
  WorkerDetectorError,
} from '../../../../adapters/detector-pool';
import { createDetector, InvalidDetectorConfigError } from '../../../../core/scanning/detect';
import { InvalidRuleError, withBase62Crc32Checksum } from '../../../../core/scanning/rules';
import { ALNUM, BASE32, password, rand, resetSampleSeed } from '../../../../core/scanning/rules/sample-kit';
import type { ScanFile } from '../../../../core/scanning/types';
import { cutAt, fileOf, utf8 } from '../fixtures/streams';

const ghToken = () => withBase62Crc32Checksum('gh' + 'p_', rand(ALNUM, 30));
const awsKeyId = () => 'AK' + 'IA' + rand(BASE32, 16);

/** Lines of the kinds the detector cares about: secrets, near-misses, filler, binary-looking bytes. */
function line(kind: number): string {
  switch (kind % 6) {
    case 0:
      return `GITHUB_TOKEN=${ghToken()}`;
    case 1:
      return `aws_access_key_id = ${awsKeyId()}`;
    case 2:
      return `  "password": "${password(14)}",`;
    case 3:
      return `const apiKey = process.env.API_KEY; // token ${'x'.repeat(kind % 40)}`;
    case 4:
      return `plain text ${kind} with nothing to see`;
    default:
      return `é ü ∑ unicode line ${kind}`;
  }
}

describe('DetectorPool', () => {
  beforeAll(() => resetSampleSeed(21));

  describe('with two workers', () => {
    const pool = DetectorPool.start({ workers: 2, batchBytes: 4096, maxBytesInFlight: 64 * 1024 });
    const inThread = createDetector();
    beforeAll(() => pool.ready(), 60_000);
    afterAll(() => pool.close());

    it('finds exactly what the in-thread detector finds, on random files cut into random chunks', async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.array(fc.nat(1000), { minLength: 1, maxLength: 40 }),
          fc.array(fc.nat(4000), { maxLength: 6 }),
          async (kinds, cuts) => {
            const bytes = utf8(kinds.map(line).join('\n'));
            const expected = await inThread.scanFile(fileOf('app/.env', cutAt(bytes, cuts)));
            const actual = await pool.scanFile(fileOf('app/.env', cutAt(bytes, cuts)));
            expect(actual).toEqual(expected);
          },
        ),
        { numRuns: 40, seed: 5 },
      );
    });

    it('keeps each file its own findings when many are submitted at once, and answers in any order', async () => {
      const files = Array.from({ length: 300 }, (_, i) => utf8(`${line(i)}\n${line(i * 7 + 1)}\n`));
      const expected = await Promise.all(files.map((b, i) => inThread.scanFile(fileOf(`f/${i}`, [b]))));
      const submitted = [];
      for (const [i, b] of files.entries()) submitted.push(await pool.submitFile(fileOf(`f/${i}`, [b])));
      const actual = await Promise.all(submitted.map((s) => s.findings));
      expect(actual).toEqual(expected);
      expect(actual.flat().length).toBeGreaterThan(100);
    });

    it('skips binary files without sending them, as the detector would', async () => {
      const binary = new Uint8Array(20_000).map((_, i) => (i * 31) % 256);
      binary.set(utf8(`KEY=${awsKeyId()}`), 100);
      expect(await pool.scanFile(fileOf('bin/app', cutAt(binary, [3000, 9000])))).toEqual([]);
      expect(await inThread.scanFile(fileOf('bin/app', cutAt(binary, [3000, 9000])))).toEqual([]);
    });

    it('streams a large file through in bounded batches and finds a secret at its end', async () => {
      const token = ghToken();
      const filler = utf8(`${'lorem ipsum dolor '.repeat(3000)}\n`);
      const file: ScanFile = {
        location: { path: 'big.txt' },
        chunks: (async function* () {
          for (let i = 0; i < 60; i++) yield filler;
          yield utf8(`T=${token}\n`);
        })(),
      };
      const [finding] = await pool.scanFile(file);
      expect(finding).toMatchObject({ ruleId: 'github-pat-classic', location: { line: 61 } });
    });

    it('throws the source error from submitFile when the file cannot be read, and stays usable', async () => {
      const broken: ScanFile = {
        location: { path: 'broken.txt' },
        chunks: (async function* () {
          yield utf8(`${'text '.repeat(3000)}\n`);
          throw new RangeError('the stream broke');
        })(),
      };
      await expect(pool.submitFile(broken)).rejects.toThrow('the stream broke');
      const [finding] = await pool.scanFile(fileOf('ok.env', [utf8(`T=${ghToken()}`)]));
      expect(finding?.ruleId).toBe('github-pat-classic');
    });

    it('scans config texts in the calling thread', () => {
      const text = `ENV GITHUB_TOKEN=${ghToken()}`;
      expect(pool.scanText(text, { path: 'config' })).toEqual(inThread.scanText(text, { path: 'config' }));
    });
  });

  it('rejects the file whose detector fails in a worker with WorkerDetectorError, and scans the others', async () => {
    const pool = DetectorPool.start({ workers: 1, entry: join(__dirname, 'failing-worker.js') });
    try {
      const bad = pool.scanFile(fileOf('bad.txt', [utf8('x TRIGGER-DETECTOR-FAILURE y')]));
      const good = pool.scanFile(fileOf('good.env', [utf8(`T=${ghToken()}`)]));
      await expect(bad).rejects.toBeInstanceOf(WorkerDetectorError);
      await expect(bad).rejects.toThrow(/RangeError: decoder failure for the test/);
      expect((await good).map((f) => f.ruleId)).toEqual(['github-pat-classic']);
    } finally {
      await pool.close();
    }
  }, 60_000);

  it('refuses a bad configuration at start, in the calling thread', () => {
    expect(() => DetectorPool.start({ workers: 1, userRules: '{"rules": [{"id": "Bad Id"}]}' })).toThrow(
      InvalidRuleError,
    );
    expect(() => DetectorPool.start({ workers: 1, windowChars: 0 })).toThrow(InvalidDetectorConfigError);
    expect(() => DetectorPool.start({ workers: 0 })).toThrow(/workers must be a positive integer/);
  });

  it('runs user rules in the workers', async () => {
    const userRules = JSON.stringify({
      rules: [
        {
          id: 'acme-token',
          title: 'ACME token',
          kind: 'infrastructure',
          severity: 'high',
          keywords: ['acme_'],
          pattern: '\\b(acme_[a-z0-9]{12})\\b',
          secretGroup: 1,
          samples: { leak: ['acme_a1b2c3d4e5f6'] },
        },
      ],
    });
    const pool = DetectorPool.start({ workers: 1, builtin: false, userRules });
    try {
      const findings = await pool.scanFile(fileOf('x.txt', [utf8('t = acme_a1b2c3d4e5f6\n')]));
      expect(findings.map((f) => f.ruleId)).toEqual(['acme-token']);
    } finally {
      await pool.close();
    }
  }, 60_000);

  it('closes without leaving threads or ports behind, and refuses files afterwards', async () => {
    const before = process.getActiveResourcesInfo().filter((r) => /Worker|MessagePort/.test(r)).length;
    const pool = DetectorPool.start({ workers: 2 });
    await pool.ready();
    const pending = pool.scanFile(fileOf('a.env', [utf8(`T=${ghToken()}`)]));
    await pool.close();
    expect((await pending).length).toBe(1);
    const after = process.getActiveResourcesInfo().filter((r) => /Worker|MessagePort/.test(r)).length;
    expect(after).toBe(before);
    await expect(pool.scanFile(fileOf('b.env', [utf8('x')]))).rejects.toBeInstanceOf(DetectorPoolClosedError);
  }, 60_000);
});
