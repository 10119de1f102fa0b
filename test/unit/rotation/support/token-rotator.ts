import { Sensitive } from '../../../../core/sensitive';
import { CredentialRejectedError, InvalidSecretError } from '../../../../core/rotation/errors';
import type { Rotator, RotatorContext } from '../../../../core/rotation/rotator';
import type { LogFields, RotationLog } from '../../../../core/rotation/ports';

/** A toy secret kind for engine tests: `{ "user": ..., "token": ... }` checked by an in-memory service. */
export interface TokenSecret {
  readonly user: string;
  readonly token: Sensitive<string>;
}

/** The service the toy tokens log in to: user -> accepted token. */
export class TokenService {
  readonly accepted = new Map<string, string>();
  applyCalls = 0;
  verifyCalls = 0;
  /** When set, apply throws this once. */
  failApply?: Error;
}

/** A rotator over TokenService. */
export function tokenRotator(service: TokenService): Rotator<TokenSecret> {
  return {
    kind: 'token',
    parse(secretString: Sensitive<string>, context: RotatorContext): TokenSecret {
      let value: unknown;
      try {
        value = JSON.parse(secretString.reveal());
      } catch {
        throw new InvalidSecretError('the value is not JSON', { ...where(context), check: 'json' });
      }
      const record = value as Record<string, unknown>;
      const missing = ['user', 'token'].filter((f) => typeof record[f] !== 'string');
      if (missing.length > 0)
        throw new InvalidSecretError('missing fields', {
          ...where(context),
          fields: missing,
          check: 'fields',
        });
      return { user: record.user as string, token: Sensitive.of(record.token as string) };
    },
    serialize: (secret) => Sensitive.of(JSON.stringify({ user: secret.user, token: secret.token.reveal() })),
    async generate(current, context) {
      return { user: current.user, token: await context.newPassword() };
    },
    async isApplied(pending) {
      return service.accepted.get(pending.user) === pending.token.reveal();
    },
    async apply({ pending }) {
      service.applyCalls++;
      if (service.failApply !== undefined) {
        const error = service.failApply;
        delete service.failApply;
        throw error;
      }
      service.accepted.set(pending.user, pending.token.reveal());
    },
    async verify(pending, context) {
      service.verifyCalls++;
      if (service.accepted.get(pending.user) !== pending.token.reveal()) {
        throw new CredentialRejectedError('the service rejects the pending token', {
          ...where(context),
          check: 'pending-login',
        });
      }
    },
  };
}

function where(context: RotatorContext) {
  return { step: context.step, secretId: context.secretId, versionId: context.versionId };
}

/** A log that keeps every line (message and fields, as JSON) for the no-secret-in-logs checks. */
export class CapturingLog implements RotationLog {
  readonly lines: string[] = [];
  info(message: string, fields?: LogFields): void {
    this.lines.push(JSON.stringify({ level: 'info', message, ...fields }));
  }
  warn(message: string, fields?: LogFields): void {
    this.lines.push(JSON.stringify({ level: 'warn', message, ...fields }));
  }
}
