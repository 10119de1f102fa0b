import { createHash } from 'node:crypto';

/** When a certificate should be renewed, and whether that moment has come. */
export interface RenewalDecision {
  readonly dueAt: Date;
  readonly due: boolean;
}

/** Options of `renewalDue`. */
export interface RenewalOptions {
  /** Renew this long (ms) before notAfter instead of at two thirds of the lifetime. */
  readonly renewBeforeMs?: number;
  /**
   * The widest spread (ms) of renewals across a fleet: each certificate renews up to this much earlier, by
   * an amount derived from its serial number, so that certificates issued together do not renew together.
   * @default a twentieth of the lifetime
   */
  readonly jitterMs?: number;
}

/**
 * Decides when a certificate is due for renewal: at two thirds of its lifetime (or `renewBeforeMs` before
 * notAfter), minus a jitter that is deterministic per certificate (the same serial always gets the same
 * date, so repeated sweeps agree) and never earlier than notBefore.
 */
export function renewalDue(
  cert: {
    readonly notBefore: string | Date;
    readonly notAfter: string | Date;
    readonly serialNumber: string;
  },
  now: Date,
  options: RenewalOptions = {},
): RenewalDecision {
  const notBefore = new Date(cert.notBefore).getTime();
  const notAfter = new Date(cert.notAfter).getTime();
  const lifetime = Math.max(0, notAfter - notBefore);
  const base =
    options.renewBeforeMs === undefined ? notBefore + (lifetime * 2) / 3 : notAfter - options.renewBeforeMs;
  const jitter = (options.jitterMs ?? lifetime / 20) * jitterFraction(cert.serialNumber);
  const dueAt = new Date(Math.round(Math.max(notBefore, Math.min(base, notAfter) - jitter)));
  return { dueAt, due: now.getTime() >= dueAt.getTime() };
}

/** A number in [0, 1) derived from the serial number. */
export function jitterFraction(serialNumber: string): number {
  const digest = createHash('sha256')
    .update(serialNumber.toLowerCase().replace(/[^0-9a-f]/g, ''))
    .digest();
  return digest.readUInt32BE(0) / 2 ** 32;
}
