import { randomSerialNumber } from '../../../core/rotation/certificate/serial';
import { jitterFraction, renewalDue } from '../../../core/rotation/certificate/renewal';

describe('randomSerialNumber', () => {
  it('is 128 bits, positive and encodes to exactly 16 bytes', () => {
    for (let i = 0; i < 200; i++) {
      const serial = randomSerialNumber();
      expect(serial).toMatch(/^[0-9a-f]{32}$/);
      const first = parseInt(serial.slice(0, 2), 16);
      expect(first & 0x80).toBe(0);
      expect(first & 0x40).toBe(0x40);
    }
  });

  it('clears the sign bit even when the random source gives all ones', () => {
    expect(randomSerialNumber((n) => new Uint8Array(n).fill(0xff))).toBe(`7f${'ff'.repeat(15)}`);
    expect(randomSerialNumber((n) => new Uint8Array(n))).toBe(`40${'00'.repeat(15)}`);
  });

  it('does not repeat across many draws', () => {
    const serials = new Set(Array.from({ length: 5000 }, () => randomSerialNumber()));
    expect(serials.size).toBe(5000);
  });
});

describe('renewalDue', () => {
  const notBefore = new Date('2026-01-01T00:00:00Z');
  const notAfter = new Date('2026-01-31T00:00:00Z'); // 30 days
  const cert = { notBefore, notAfter, serialNumber: '4a1b2c3d4e5f60718293a4b5c6d7e8f9' };
  const day = 86_400_000;

  it('renews at two thirds of the lifetime without jitter', () => {
    const { dueAt } = renewalDue(cert, notBefore, { jitterMs: 0 });
    expect(dueAt.toISOString()).toBe('2026-01-21T00:00:00.000Z');
  });

  it('renews renewBefore ahead of notAfter when configured', () => {
    const { dueAt } = renewalDue(cert, notBefore, { renewBeforeMs: 3 * day, jitterMs: 0 });
    expect(dueAt.toISOString()).toBe('2026-01-28T00:00:00.000Z');
  });

  it('says whether the due date has come', () => {
    expect(renewalDue(cert, new Date('2026-01-20T23:59:59Z'), { jitterMs: 0 }).due).toBe(false);
    expect(renewalDue(cert, new Date('2026-01-21T00:00:00Z'), { jitterMs: 0 }).due).toBe(true);
  });

  it('moves the date earlier by a jitter that is the same for the same serial and within the bound', () => {
    const first = renewalDue(cert, notBefore, { jitterMs: day });
    const again = renewalDue({ ...cert, serialNumber: cert.serialNumber.toUpperCase() }, notBefore, {
      jitterMs: day,
    });
    expect(again.dueAt.getTime()).toBe(first.dueAt.getTime());
    const base = Date.parse('2026-01-21T00:00:00Z');
    expect(first.dueAt.getTime()).toBeLessThanOrEqual(base);
    expect(first.dueAt.getTime()).toBeGreaterThan(base - day);
  });

  it('spreads a fleet issued at one instant over the jitter window', () => {
    const dates = Array.from({ length: 200 }, () =>
      renewalDue({ ...cert, serialNumber: randomSerialNumber() }, notBefore).dueAt.getTime(),
    );
    const spread = Math.max(...dates) - Math.min(...dates);
    // The default jitter is a twentieth of 30 days (36 h); 200 serials cover most of it.
    expect(spread).toBeGreaterThan(30 * 3_600_000);
    expect(new Set(dates).size).toBeGreaterThan(190);
  });

  it('never schedules before notBefore and accepts ISO strings', () => {
    const { dueAt } = renewalDue(
      { notBefore: notBefore.toISOString(), notAfter: notAfter.toISOString(), serialNumber: 'ab' },
      notBefore,
      { renewBeforeMs: 60 * day, jitterMs: day },
    );
    expect(dueAt.getTime()).toBe(notBefore.getTime());
  });

  it('derives jitter fractions in [0, 1)', () => {
    for (let i = 0; i < 100; i++) {
      const fraction = jitterFraction(randomSerialNumber());
      expect(fraction).toBeGreaterThanOrEqual(0);
      expect(fraction).toBeLessThan(1);
    }
  });
});
