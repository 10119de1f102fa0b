import { createDetector } from '../../../../core/scanning/detect';
import { createTextDetector } from '../../../../core/scanning/detect/detector';
import { ALNUM, BASE32, password, rand, resetSampleSeed } from '../../../../core/scanning/rules/sample-kit';
import { withBase62Crc32Checksum } from '../../../../core/scanning/rules';

function file(text: string | Uint8Array, path = 'app/.env') {
  const bytes = typeof text === 'string' ? Buffer.from(text) : text;
  return {
    location: { path },
    chunks: (async function* () {
      for (let at = 0; at < bytes.length; at += 3000) yield bytes.subarray(at, at + 3000);
    })(),
  };
}

describe('createTextDetector (for files already found not to be binary)', () => {
  it('gives the findings of createDetector on text files, short and long', async () => {
    resetSampleSeed(21);
    const secrets = () =>
      `A=${'AK' + 'IA' + rand(BASE32, 16)}\nT=${withBase62Crc32Checksum('gh' + 'p_', rand(ALNUM, 30))}\npassword: "${password(13)}"\n`;
    const texts = [
      secrets(),
      `${'x = 1\n'.repeat(5000)}${secrets()}`,
      `${'ab '.repeat(120_000)}\n${secrets()}`,
    ];
    for (const text of texts) {
      const expected = await createDetector().scanFile(file(text));
      expect(expected.length).toBeGreaterThanOrEqual(3);
      expect(await createTextDetector().scanFile(file(text))).toEqual(expected);
    }
  });

  it('does not make the binary check again: what it is handed is scanned as text', async () => {
    resetSampleSeed(22);
    const text = `\u0000 password: "${password(13)}"\n`;
    expect(await createDetector().scanFile(file(text))).toEqual([]);
    expect((await createTextDetector().scanFile(file(text))).length).toBe(1);
  });
});
