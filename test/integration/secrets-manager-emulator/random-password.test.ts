import {
  GetRandomPasswordCommand,
  InvalidParameterException,
  type GetRandomPasswordCommandInput,
} from '@aws-sdk/client-secrets-manager';
import fc from 'fast-check';
import { PASSWORD_CHARACTER_CLASSES } from '../../../local/secrets-manager';
import { rejectionOf, startHarness, type Harness } from './support';

const { lowercase, uppercase, numbers, punctuation } = PASSWORD_CHARACTER_CLASSES;
const ALL = lowercase + uppercase + numbers + punctuation + ' ';

describe('Secrets Manager emulator: GetRandomPassword', () => {
  let h: Harness;

  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(() => h.close());

  const password = async (input: GetRandomPasswordCommandInput): Promise<string> =>
    (await h.client.send(new GetRandomPasswordCommand(input))).RandomPassword!;

  it('makes 32 characters by default, with each type and no space', async () => {
    const value = await password({});
    expect(value).toHaveLength(32);
    for (const chars of [lowercase, uppercase, numbers, punctuation])
      expect([...value].some((c) => chars.includes(c))).toBe(true);
    expect(value).not.toContain(' ');
  });

  it('does not repeat itself', async () => {
    const values = new Set(await Promise.all(Array.from({ length: 20 }, () => password({}))));
    expect(values.size).toBe(20);
  });

  it('honours length, exclusions and required types for any combination of options', async () => {
    const options = fc.record({
      PasswordLength: fc.integer({ min: 4, max: 200 }),
      ExcludeCharacters: fc.string({ unit: fc.constantFrom(...ALL), maxLength: 30 }),
      ExcludeNumbers: fc.boolean(),
      ExcludePunctuation: fc.boolean(),
      ExcludeUppercase: fc.boolean(),
      ExcludeLowercase: fc.boolean(),
      IncludeSpace: fc.boolean(),
    });
    await fc.assert(
      fc.asyncProperty(options, async (input) => {
        const excluded = new Set(input.ExcludeCharacters);
        const types = [
          [input.ExcludeLowercase, lowercase],
          [input.ExcludeUppercase, uppercase],
          [input.ExcludeNumbers, numbers],
          [input.ExcludePunctuation, punctuation],
        ] as const;
        const included = types
          .filter(([off]) => !off)
          .map(([, chars]) => [...chars].filter((c) => !excluded.has(c)).join(''));
        const available = included.join('') + (input.IncludeSpace && !excluded.has(' ') ? ' ' : '');
        if (available.length === 0) {
          await expect(password(input)).rejects.toBeInstanceOf(InvalidParameterException);
          return;
        }
        const value = await password(input);
        expect(value).toHaveLength(input.PasswordLength);
        for (const c of value) expect(available).toContain(c);
        for (const chars of included.filter((c) => c.length > 0)) {
          expect([...value].some((c) => chars.includes(c))).toBe(true);
        }
      }),
      { numRuns: 150 },
    );
  });

  it('includes the space when asked, and makes passwords of one type only', async () => {
    const digits = await password({
      PasswordLength: 50,
      ExcludeLowercase: true,
      ExcludeUppercase: true,
      ExcludePunctuation: true,
    });
    expect(digits).toMatch(/^[0-9]{50}$/);
    const spaced = await password({
      PasswordLength: 4000,
      IncludeSpace: true,
      RequireEachIncludedType: false,
    });
    expect(spaced).toContain(' ');
  });

  it('refuses a length shorter than the number of required types', async () => {
    const error = await rejectionOf(h.client.send(new GetRandomPasswordCommand({ PasswordLength: 3 })));
    expect(error).toBeInstanceOf(InvalidParameterException);
    await expect(password({ PasswordLength: 3, RequireEachIncludedType: false })).resolves.toHaveLength(3);
  });

  it('refuses to exclude every type', async () => {
    const error = await rejectionOf(
      h.client.send(
        new GetRandomPasswordCommand({
          ExcludeLowercase: true,
          ExcludeUppercase: true,
          ExcludeNumbers: true,
          ExcludePunctuation: true,
        }),
      ),
    );
    expect(error).toBeInstanceOf(InvalidParameterException);
  });

  it.each([0, 4097])('refuses PasswordLength %d with ValidationException', async (length) => {
    const error = await rejectionOf(h.client.send(new GetRandomPasswordCommand({ PasswordLength: length })));
    expect(error.name).toBe('ValidationException');
  });

  it('makes the longest password allowed', async () => {
    await expect(password({ PasswordLength: 4096 })).resolves.toHaveLength(4096);
  });
});
