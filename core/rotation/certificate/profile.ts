import { z } from 'zod';
import { InvalidProfileError, WeakKeyError } from './errors';

/**
 * A certificate profile: what kind of key a leaf gets, how long it lives and what it is for. Parsed with
 * zod; keys Rotor refuses (RSA below 2048 bits, curves other than P-256 and P-384) are WeakKeyError, other
 * mistakes InvalidProfileError naming the field.
 */

const KeySchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('EC'), curve: z.string().default('P-256') }).strict(),
  z.object({ type: z.literal('RSA'), modulusLength: z.number().int().default(3072) }).strict(),
]);

/** The profile as written in configuration (all fields optional). */
export const CertificateProfileSchema = z
  .object({
    /** @default { type: 'EC', curve: 'P-256' } */
    key: KeySchema.default({ type: 'EC', curve: 'P-256' }),
    /** Lifetime of a leaf certificate. @default 30 */
    validityDays: z.number().int().min(1).max(825).default(30),
    /** How far notBefore is set back, for clients whose clocks run behind. @default 5 */
    backdateMinutes: z.number().int().min(0).max(60).default(5),
    /** @default ['serverAuth'] */
    extendedKeyUsage: z
      .array(z.enum(['serverAuth', 'clientAuth']))
      .min(1)
      .default(['serverAuth'])
      .transform((usages) => [...new Set(usages)]),
    /** Renew this many days before notAfter instead of at two thirds of the lifetime. */
    renewBeforeDays: z.number().positive().optional(),
  })
  .strict();

/** The key of a leaf certificate, after the strength checks. */
export type LeafKeySpec =
  { type: 'EC'; curve: 'P-256' | 'P-384' } | { type: 'RSA'; modulusLength: 2048 | 3072 | 4096 };

/** A parsed, checked profile. */
export interface CertificateProfile {
  readonly key: LeafKeySpec;
  readonly validityDays: number;
  readonly backdateMinutes: number;
  readonly extendedKeyUsage: readonly ('serverAuth' | 'clientAuth')[];
  readonly renewBeforeDays?: number;
}

const CURVES = ['P-256', 'P-384'] as const;
const RSA_LENGTHS = [2048, 3072, 4096] as const;

/** Parses a profile; `undefined` gives the default profile (ECDSA P-256, 30 days, serverAuth). */
export function parseCertificateProfile(input: unknown = {}): CertificateProfile {
  const result = CertificateProfileSchema.safeParse(input);
  if (!result.success) {
    const fields = result.error.issues.map(
      (issue) => `${issue.path.join('.') || '(profile)'}: ${issue.message}`,
    );
    throw new InvalidProfileError(`Invalid certificate profile: ${fields.join('; ')}`, {
      context: { fields: result.error.issues.map((issue) => issue.path.join('.')).join(',') },
    });
  }
  const { key, ...rest } = result.data;
  return { ...rest, key: checkKeyStrength(key) };
}

function checkKeyStrength(key: z.infer<typeof KeySchema>): LeafKeySpec {
  if (key.type === 'EC') {
    if (!(CURVES as readonly string[]).includes(key.curve)) {
      throw new WeakKeyError(`Curve ${key.curve} is refused: use P-256 or P-384 (profile field key.curve)`, {
        context: { field: 'key.curve', curve: key.curve },
      });
    }
    return { type: 'EC', curve: key.curve as 'P-256' | 'P-384' };
  }
  if (key.modulusLength < 2048) {
    throw new WeakKeyError(
      `RSA keys of ${key.modulusLength} bits are refused: at least 2048 bits (profile field key.modulusLength)`,
      { context: { field: 'key.modulusLength', modulusLength: key.modulusLength } },
    );
  }
  if (!(RSA_LENGTHS as readonly number[]).includes(key.modulusLength)) {
    throw new InvalidProfileError(
      `RSA key length ${key.modulusLength} is not supported: use 2048, 3072 or 4096 (profile field key.modulusLength)`,
      { context: { field: 'key.modulusLength', modulusLength: key.modulusLength } },
    );
  }
  return { type: 'RSA', modulusLength: key.modulusLength as 2048 | 3072 | 4096 };
}
