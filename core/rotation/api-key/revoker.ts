import type { Revoker } from '../revocation';
import { revokePreviousKey, type RevokePreviousKeyDeps } from './revoke-previous-key';

/** The workflow's revocation for API keys: `revokePreviousKey` with the workflow's trigger and timing. */
export function apiKeyRevoker(deps: Omit<RevokePreviousKeyDeps, 'clock'>): Revoker {
  return async (request, clock) => {
    const outcome = await revokePreviousKey(
      request.secretId,
      { ...deps, clock },
      {
        trigger: request.trigger,
        consumersMovedAt: request.consumersMovedAt,
        gracePeriodMs: request.trigger === 'remediation' ? 0 : request.gracePeriodMs,
      },
    );
    switch (outcome.outcome) {
      case 'nothing-to-revoke':
        return { result: 'nothing-to-revoke', detail: outcome.reason };
      case 'deferred':
        return outcome.reason === 'grace-period'
          ? { result: 'deferred', detail: 'grace-period', notBefore: outcome.notBefore.toISOString() }
          : // The workflow asks only after every consumer moved; say so rather than loop.
            { result: 'deferred', detail: outcome.reason, notBefore: clock.now().toISOString() };
      default:
        return { result: 'revoked', detail: outcome.outcome };
    }
  };
}
