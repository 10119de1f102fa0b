import fc from 'fast-check';
import {
  createDetector,
  DEFAULT_FINGERPRINT_KEY,
  findingFingerprint,
  fingerprintManagedValue,
} from '../../../../core/scanning/detect';
import { withBase62Crc32Checksum, type Rule } from '../../../../core/scanning/rules';
import { ALNUM, BASE32, pemBlock, rand, resetSampleSeed } from '../../../../core/scanning/rules/sample-kit';
import { cutAt, fileOf, lazyFile, utf8 } from '../fixtures/streams';

const ghToken = () => withBase62Crc32Checksum('gh' + 'p_', rand(ALNUM, 30));
const awsKeyId = () => 'AK' + 'IA' + rand(BASE32, 16);

describe('createDetector', () => {
  beforeAll(() => resetSampleSeed(7));
  const detector = createDetector();

  describe('locations', () => {
    it('reports the 1-based line and column of the secret in a file', async () => {
      const token = ghToken();
      const text = `first line\n\n  export GITHUB_TOKEN=${token}\n`;
      const [finding] = await detector.scanFile(fileOf('a/.env', [utf8(text)]));
      expect(finding).toMatchObject({
        ruleId: 'github-pat-classic',
        location: { path: 'a/.env', line: 3, column: 23 },
      });
    });

    it('reports line 0 and the offset in the text for an image config field', () => {
      const token = ghToken();
      const text = `RUN echo x\n && export T=${token}`;
      const [finding] = detector.scanText(text, { path: 'config.json' });
      expect(finding!.location).toMatchObject({ line: 0, column: text.indexOf(token) + 1 });
    });

    it('counts lines and columns the same way across many windows', async () => {
      const small = createDetector({ windowChars: 50 });
      const lines = Array.from({ length: 2000 }, (_, i) =>
        i % 97 === 5 ? `key_${i} ${awsKeyId()} tail` : `filler line ${i} ${'.'.repeat(i % 13)}`,
      );
      const text = lines.join('\n');
      const expected = lines.flatMap((l, i) =>
        l.startsWith('key_') ? [{ line: i + 1, column: l.indexOf('AKIA') + 1 }] : [],
      );
      const found = await small.scanFile(fileOf('f.txt', cutAt(utf8(text), [7, 100, 101, 999, 2000])));
      expect(found.map((f) => ({ line: f.location.line, column: f.location.column }))).toEqual(expected);
    });

    it('counts only real newlines, not characters whose low byte is a newline (U+010A)', async () => {
      const text = `a \u010a b \uff0a c\n\u010a\nKEY=${awsKeyId()}`;
      const [finding] = await detector.scanFile(fileOf('f.txt', [utf8(text)]));
      expect(finding!.location).toMatchObject({ line: 3, column: 5 });
    });

    it('keeps the location fields of the file (image, layer, inner path)', () => {
      const location = {
        path: 'etc/app.env',
        target: 'registry/app:1',
        layerDigest: 'sha256:ab',
        innerPath: 'x/y',
      };
      const [finding] = detector.scanText(`KEY=${awsKeyId()}`, location);
      expect(finding!.location).toEqual({ ...location, line: 0, column: 5 });
    });
  });

  describe('chunking', () => {
    it('finds the same findings however the bytes are chunked and whatever the window size', async () => {
      // Windows read TAIL_CHARS (~8 KiB) past what they own, so texts are made longer than that with filler.
      const managedValue = rand(ALNUM, 24);
      const managedPassword = `p${rand(ALNUM + '!#%&*+-.^_~', 18)}!`;
      const managed = {
        key: 'k',
        records: [
          fingerprintManagedValue('k', 'app/key', 'AWSCURRENT', managedValue, ALNUM),
          fingerprintManagedValue(
            'k',
            'app/db',
            'AWSPREVIOUS',
            managedPassword,
            ALNUM + '!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~',
          ),
        ],
      };
      const reference = createDetector({ managed });
      const planted = [
        ghToken(),
        awsKeyId(),
        pemBlock('RSA PRIVATE KEY', 700),
        `postgres://app:${rand(ALNUM, 20)}@db.internal/x`,
        managedValue,
        `DB_PASSWORD="${managedPassword}"`,
      ];
      const filler = `${'lorem ipsum dolor sit amet '.repeat(40)}\n`;
      let withFindings = 0;
      let withManaged = 0;
      await fc.assert(
        fc.asyncProperty(
          fc.array(
            fc.oneof(
              fc.constantFrom(...planted),
              fc.constant(filler),
              fc.string({ maxLength: 40 }),
              fc.constant('\n'),
              fc.constant('é€😀'),
            ),
            { minLength: 1, maxLength: 60 },
          ),
          fc.array(fc.nat(), { maxLength: 12 }),
          fc.integer({ min: 1, max: 3000 }),
          async (parts, cuts, windowChars) => {
            const text = filler.repeat(8) + parts.join(' ');
            const bytes = utf8(text);
            // The reference: the whole text as one chunk, in one window.
            const whole = await reference.scanFile(fileOf('p', [bytes]));
            if (whole.length > 0) withFindings++;
            if (whole.some((f) => f.managedSecret !== undefined)) withManaged++;
            const windowed = createDetector({ windowChars, managed });
            const chunked = await windowed.scanFile(
              fileOf(
                'p',
                cutAt(
                  bytes,
                  cuts.map((c) => c % (bytes.length + 1)),
                ),
              ),
            );
            expect(chunked).toEqual(whole);
          },
        ),
        { numRuns: 60 },
      );
      expect(withFindings).toBeGreaterThan(10);
      expect(withManaged).toBeGreaterThan(5);
    });

    it('finds a secret straddling every possible chunk boundary exactly once', async () => {
      const token = ghToken();
      const text = `${'x = 1\n'.repeat(2000)}token: ${token}\n${'y = 2\n'.repeat(2000)}`;
      const bytes = utf8(text);
      const start = text.indexOf(token);
      // Every window boundary (the owned part's end) and every chunk boundary across the token.
      for (let cut = start - 2; cut <= start + token.length + 2; cut++) {
        const windowed = createDetector({ windowChars: cut });
        const found = await windowed.scanFile(fileOf('p', cutAt(bytes, [cut, cut + 5])));
        expect(found.map((f) => [f.ruleId, f.location.line])).toEqual([['github-pat-classic', 2001]]);
      }
    });

    it('does not report a match that starts inside one found by the previous window', async () => {
      // Scanned whole, `q123q` is found and the search resumes after it, so `q456q` (sharing its last `q`)
      // is not a match; each window must resume where the previous one's last match ended, not at its own start.
      const rule: Rule = {
        id: 'test-overlap',
        title: 'test',
        kind: 'generic',
        severity: 'low',
        keywords: ['q'],
        pattern: /(q[0-9]{3})q/,
        secretGroup: 1,
        samples: { leak: () => [], ignore: [] },
      };
      const pad = ' '.repeat(100);
      const text = `${pad}q123q456q${' '.repeat(9000)}`;
      const whole = createDetector({ rules: [rule] }).scanText(text, { path: 'p' });
      expect(whole).toHaveLength(1);
      for (let boundary = 101; boundary <= 108; boundary++) {
        const found = await createDetector({ rules: [rule], windowChars: boundary }).scanFile(
          fileOf('p', [utf8(text)]),
        );
        expect(found.map((f) => f.location.column)).toEqual([101]);
      }
    });

    it('scans a very long line in bounded windows and reports the column on it', async () => {
      const token = ghToken();
      const chunk = utf8('a'.repeat(64 * 1024));
      const count = 160; // 10 MiB on one line
      const file = lazyFile('big.txt', count + 1, (i) => (i === count ? utf8(` ${token} end`) : chunk));
      const found = await detector.scanFile(file);
      expect(found).toHaveLength(1);
      expect(found[0]!.location).toMatchObject({ line: 1, column: count * 64 * 1024 + 2 });
    });
  });

  describe('binary content', () => {
    it('skips files with NUL bytes whatever their name', async () => {
      const bytes = utf8(`password=${rand(ALNUM, 20)}\nGITHUB_TOKEN=${ghToken()}\n`);
      const binary = new Uint8Array(bytes.length + 1);
      binary.set(bytes);
      expect(await detector.scanFile(fileOf('notes.txt', [binary]))).toEqual([]);
    });

    it('skips files that are mostly invalid UTF-8', async () => {
      const noise = new Uint8Array(4096).map((_, i) => 0x80 + (i % 64));
      const text = utf8(` ${ghToken()} `);
      expect(await detector.scanFile(fileOf('x.env', [noise, text]))).toEqual([]);
    });

    it('scans text whose name suggests binary', async () => {
      const found = await detector.scanFile(fileOf('lib/libfoo.so', [utf8(`TOKEN=${ghToken()}`)]));
      expect(found.map((f) => f.ruleId)).toEqual(['github-pat-classic']);
    });
  });

  describe('excerpts and fingerprints', () => {
    it('censors the secret to at most 4 characters and ****, keeping the surroundings', () => {
      const token = ghToken();
      const [finding] = detector.scanText(`export GITHUB_TOKEN=${token} # ci`, { path: 'p' });
      expect(finding!.excerpt).toBe('export GITHUB_TOKEN=ghp_**** # ci');
    });

    it('bounds the excerpt of a secret on a long line', () => {
      const [finding] = detector.scanText(`${'q'.repeat(5000)} ${ghToken()} ${'z'.repeat(5000)}`, {
        path: 'p',
      });
      expect(finding!.excerpt.length).toBeLessThan(100);
    });

    it('gives the same fingerprint for the same secret in another file, and a keyed HMAC of rule and secret', () => {
      const token = ghToken();
      const a = detector.scanText(`TOKEN=${token}`, { path: 'a', layerDigest: 'sha256:1' });
      const b = detector.scanText(`x: "${token}"`, { path: 'b', layerDigest: 'sha256:2' });
      expect(a[0]!.fingerprint).toBe(b[0]!.fingerprint);
      expect(a[0]!.fingerprint).toBe(
        findingFingerprint(DEFAULT_FINGERPRINT_KEY, 'github-pat-classic', token),
      );
      const keyed = createDetector({ fingerprintKey: 'k2' }).scanText(`TOKEN=${token}`, { path: 'a' });
      expect(keyed[0]!.fingerprint).not.toBe(a[0]!.fingerprint);
      expect(a[0]!.fingerprint).toMatch(/^[0-9a-f]{64}$/);
    });
  });

  it('gives a private key the same fingerprint in a PEM file and escaped in JSON', () => {
    const pem = pemBlock('RSA PRIVATE KEY', 1200);
    const inFile = detector.scanText(pem, { path: 'id_rsa' });
    const inJson = detector.scanText(`{"key": "${pem.replace(/\n/g, '\\n')}"}`, { path: 'k.json' });
    const withCrlf = detector.scanText(pem.replace(/\n/g, '\r\n'), { path: 'id_rsa' });
    expect(inFile.map((f) => f.ruleId)).toEqual(['private-key-pem']);
    expect(inJson[0]!.fingerprint).toBe(inFile[0]!.fingerprint);
    expect(withCrlf[0]!.fingerprint).toBe(inFile[0]!.fingerprint);
  });

  describe('overlapping rules', () => {
    it('reports a specific rule rather than the generic one on the same secret', () => {
      const findings = detector.scanText(`api_token = "${ghToken()}"`, { path: 'p' });
      expect(findings.map((f) => f.ruleId)).toEqual(['github-pat-classic']);
    });

    it('keeps findings of different secrets on one line', () => {
      const findings = detector.scanText(`${awsKeyId()} ${ghToken()}`, { path: 'p' });
      expect(findings.map((f) => f.ruleId)).toEqual(['aws-access-key-id', 'github-pat-classic']);
    });
  });

  describe('path-restricted rules', () => {
    it('applies the .pypirc rule only to .pypirc files', () => {
      const text = `[pypi]\npassword = ${rand(ALNUM, 16)}`;
      expect(detector.scanText(text, { path: 'home/u/.pypirc' }).map((f) => f.ruleId)).toContain(
        'pypirc-password',
      );
      expect(detector.scanText(text, { path: 'home/u/setup.cfg' }).map((f) => f.ruleId)).not.toContain(
        'pypirc-password',
      );
    });
  });
});
