import type { Clock } from '../clock';

/**
 * The workflow's revocation step, after the consumers moved: retire the previous credential where the kind
 * keeps one alive (API keys: two keys live during a rotation). Kinds that keep nothing alive answer
 * `nothing-to-revoke`; a database's alternating user keeps working until the next rotation changes it, by
 * design of that strategy.
 */
export interface RevocationRequest {
  readonly secretId: string;
  /** `consumers-moved`: after the grace period; `remediation`: at once (the previous value leaked). */
  readonly trigger: 'consumers-moved' | 'remediation';
  /** When every consumer was seen running with AWSCURRENT. */
  readonly consumersMovedAt: Date;
  readonly gracePeriodMs: number;
}

/** What the revocation did. `deferred` comes with the moment to ask again. */
export type RevocationResult =
  | { readonly result: 'revoked'; readonly detail: string }
  | { readonly result: 'deferred'; readonly detail: string; readonly notBefore: string }
  | { readonly result: 'nothing-to-revoke'; readonly detail: string };

/** A kind's revocation; absent for kinds that keep no previous credential alive. */
export type Revoker = (request: RevocationRequest, clock: Clock) => Promise<RevocationResult>;

/** The answer of kinds without a revoker. */
export const NOTHING_TO_REVOKE: RevocationResult = {
  result: 'nothing-to-revoke',
  detail: 'this kind keeps no previous credential alive',
};
