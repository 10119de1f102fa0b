import { invalidParameter, validationError } from './errors';

/** RotationRules as the API takes and returns them. */
export interface RotationRules {
  readonly AutomaticallyAfterDays?: number;
  readonly ScheduleExpression?: string;
  readonly Duration?: string;
}

const RATE = /^rate\(\s*(\d+)\s+(hour|hours|day|days)\s*\)$/;
const CRON = /^cron\(\s*\S+(\s+\S+){5}\s*\)$/;
const DURATION = /^(\d{1,2})h$/;
const HOUR_MS = 3_600_000;

/**
 * Checks rotation rules as the service does: `AutomaticallyAfterDays` 1 to 1000, or a
 * `ScheduleExpression` of the form `rate(N days)`, `rate(N hours)` (at least 4 hours) or a six-field
 * `cron(...)`, not both; `Duration` of the form `Nh` with N from 1 to 24.
 */
export function validateRotationRules(rules: RotationRules): void {
  const days = rules.AutomaticallyAfterDays;
  if (days !== undefined && (!Number.isInteger(days) || days < 1 || days > 1000)) {
    throw validationError(
      'rotationRules.automaticallyAfterDays',
      'Member must have value between 1 and 1000',
    );
  }
  if (days !== undefined && rules.ScheduleExpression !== undefined) {
    throw invalidParameter(
      'You can specify either AutomaticallyAfterDays or ScheduleExpression in RotationRules, but not both.',
    );
  }
  if (rules.ScheduleExpression !== undefined) {
    const rate = RATE.exec(rules.ScheduleExpression);
    if (rate) {
      const value = Number(rate[1]);
      const inHours = rate[2].startsWith('hour');
      if (value < 1 || (inHours && value < 4) || value > (inHours ? 24_000 : 1000)) {
        throw invalidParameter(
          'The rotation interval in ScheduleExpression must be between 4 hours and 1000 days.',
        );
      }
    } else if (!CRON.test(rules.ScheduleExpression)) {
      throw invalidParameter('ScheduleExpression must be a rate() or cron() expression.');
    }
  }
  if (rules.Duration !== undefined) {
    const duration = DURATION.exec(rules.Duration);
    if (!duration || Number(duration[1]) < 1 || Number(duration[1]) > 24) {
      throw invalidParameter('Duration must be a number of hours from 1h to 24h.');
    }
  }
}

/**
 * The next rotation date after `from` (the last rotation, or the moment rotation was configured), for
 * `AutomaticallyAfterDays` and `rate()` schedules. Undefined for `cron()` schedules: the emulator does not
 * evaluate cron expressions. AWS picks a time inside the rotation window; the emulator uses the start of it.
 */
export function nextRotationDate(rules: RotationRules | undefined, from: Date): Date | undefined {
  if (!rules) return undefined;
  if (rules.AutomaticallyAfterDays !== undefined)
    return new Date(from.getTime() + rules.AutomaticallyAfterDays * 24 * HOUR_MS);
  const rate = rules.ScheduleExpression === undefined ? null : RATE.exec(rules.ScheduleExpression);
  if (!rate) return undefined;
  const hours = Number(rate[1]) * (rate[2].startsWith('hour') ? 1 : 24);
  return new Date(from.getTime() + hours * HOUR_MS);
}
