import { z } from 'zod';
import { InvalidVerifyRequestError, type VerifyScope } from '../../core/audit/verify-all';
import type { AuditVerifyInput } from '../../core/contracts/audit-table';

/**
 * What a run is asked to do. The monitoring construct's schedules send `{ mode: 'recent', lookbackMinutes }`
 * hourly and `{ mode: 'full' }` weekly; a person invokes `{ mode: 'full' }` after an incident. Anything
 * else in the event (an EventBridge envelope) is ignored, so a bare scheduled event means a recent pass.
 */
export const VerifyRequest: z.ZodType<Required<AuditVerifyInput>, AuditVerifyInput | undefined> = z.object({
  mode: z.enum(['full', 'recent']).default('recent'),
  /** How far back a recent pass looks: twice the schedule's interval, so a late run still overlaps. */
  lookbackMinutes: z.number().int().min(1).max(10_080).default(120),
  /** Append an `audit.verified` record to `SYSTEM#audit-verify` (the function then needs append rights). */
  record: z.boolean().default(false),
});
export type VerifyRequest = z.infer<typeof VerifyRequest>;

/** Parses a run's event; an invalid one fails naming the fields. */
export function parseVerifyRequest(event: unknown): VerifyRequest {
  const parsed = VerifyRequest.safeParse(event ?? {});
  if (!parsed.success) {
    const fields = [...new Set(parsed.error.issues.map((issue) => issue.path.join('.') || '(event)'))];
    throw new InvalidVerifyRequestError(`invalid verify request: check ${fields.join(', ')}`, {
      context: { fields: fields.join(',') },
    });
  }
  return parsed.data;
}

/** The chains a request selects, as of `now`. */
export function scopeOf(request: VerifyRequest, now: Date): VerifyScope {
  return request.mode === 'full'
    ? { mode: 'full' }
    : { mode: 'recent', since: new Date(now.getTime() - request.lookbackMinutes * 60_000).toISOString() };
}
