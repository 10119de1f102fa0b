import { type Clock, type Sleep, realSleep, systemClock } from '../clock';
import { seal } from './chain';
import { ChainContentionError, InvalidAuditEventError } from './errors';
import { AuditEvent, type AuditRecord } from './event';
import type { ChainStore } from './ports';
import { scrubText } from './scrub';

export interface AuditWriterOptions {
  readonly store: ChainStore;
  readonly clock?: Clock;
  readonly sleep?: Sleep;
  /** Records expire this many days after they are written (DynamoDB TTL). Off by default: keep forever. */
  readonly retentionDays?: number;
  /** How many times an append may lose the race for the next slot before it gives up. @default 100 */
  readonly maxAttempts?: number;
  /** Values that must never be written (the secrets a caller holds): any string field containing one is rejected. */
  readonly forbidden?: () => Iterable<string>;
}

/**
 * Appends events to their subject's hash chain.
 *
 * An append reads the chain's head, seals the event as the next record (seq + 1, prevHash = head's hash)
 * and writes it with a condition that the slot is free. When another writer took the slot first, it reads
 * the new head and tries again after a jittered backoff. A writer remembers the heads it wrote, so a run
 * of appends to one chain costs one write each, not a read and a write. A slot, once written, never changes, so writers
 * can neither fork nor break a chain, and no event is lost: an append either lands or throws.
 */
export class AuditWriter {
  readonly #store: ChainStore;
  readonly #clock: Clock;
  readonly #sleep: Sleep;
  readonly #retentionDays?: number;
  readonly #maxAttempts: number;
  readonly #forbidden?: () => Iterable<string>;
  /** The last head this writer saw per chain: the next append tries the slot after it without a read. */
  readonly #heads = new Map<string, AuditRecord>();

  constructor(options: AuditWriterOptions) {
    this.#store = options.store;
    this.#clock = options.clock ?? systemClock;
    this.#sleep = options.sleep ?? realSleep;
    this.#retentionDays = options.retentionDays;
    this.#maxAttempts = options.maxAttempts ?? 100;
    this.#forbidden = options.forbidden;
  }

  /** Validates, seals and writes one event; returns the stored record. */
  async append(input: AuditEvent): Promise<AuditRecord> {
    const event = this.#validate(input);
    for (let attempt = 1; attempt <= this.#maxAttempts; attempt++) {
      const head = this.#heads.get(event.subject) ?? (await this.#store.head(event.subject));
      // Time only grows along a chain, even across writers whose clocks disagree.
      const now = this.#clock.now().toISOString();
      const at = head && head.at > now ? head.at : now;
      const expiresAt = this.#retentionDays
        ? Math.floor(Date.parse(at) / 1000) + Math.round(this.#retentionDays * 86_400)
        : undefined;
      const record = seal({ ...event, at, ...(expiresAt ? { expiresAt } : {}) }, head);
      if (await this.#store.putIfAbsent(record)) {
        this.#remember(record);
        return record;
      }
      // Someone else appended since: forget what we knew and read the real head next time round.
      const known = this.#heads.delete(event.subject);
      if (!known) await this.#sleep(backoff(attempt));
    }
    throw new ChainContentionError(
      `gave up appending to ${event.subject} after ${this.#maxAttempts} attempts: too many concurrent writers`,
      { context: { subject: event.subject, type: event.type } },
    );
  }

  #remember(record: AuditRecord): void {
    this.#heads.delete(record.subject);
    this.#heads.set(record.subject, record);
    if (this.#heads.size > HEAD_CACHE_SIZE) this.#heads.delete(this.#heads.keys().next().value!);
  }

  #validate(input: AuditEvent): AuditEvent {
    const parsed = AuditEvent.safeParse(input);
    if (!parsed.success) {
      const fields = [...new Set(parsed.error.issues.map((issue) => issue.path.join('.') || '(event)'))];
      throw new InvalidAuditEventError(`invalid audit event: ${fields.join(', ')}`, {
        context: { type: String((input as { type?: unknown })?.type ?? 'unknown'), fields: fields.join(',') },
      });
    }
    const event = scrubEvent(parsed.data);
    const forbidden = [...(this.#forbidden?.() ?? [])].filter((value) => value.length >= 4);
    if (forbidden.length > 0 && containsAny(event, forbidden)) {
      throw new InvalidAuditEventError(`audit event for ${event.subject} carries a secret value; refused`, {
        context: { subject: event.subject, type: event.type },
      });
    }
    return event;
  }
}

const HEAD_CACHE_SIZE = 1000;

/** Full jitter, capped: spreads racing writers apart so the chain keeps moving. */
function backoff(attempt: number): number {
  const cap = Math.min(1000, 5 * 2 ** Math.min(attempt, 8));
  return Math.floor(Math.random() * cap);
}

function scrubEvent(event: AuditEvent): AuditEvent {
  const details = event.details as Record<string, unknown>;
  const error = details.error as { name: string; message: string } | undefined;
  if (!error) return event;
  return {
    ...event,
    details: { ...details, error: { ...error, message: scrubText(error.message) } },
  } as AuditEvent;
}

function containsAny(value: unknown, needles: string[]): boolean {
  if (typeof value === 'string') return needles.some((needle) => value.includes(needle));
  if (Array.isArray(value)) return value.some((item) => containsAny(item, needles));
  if (value && typeof value === 'object')
    return Object.values(value).some((item) => containsAny(item, needles));
  return false;
}
