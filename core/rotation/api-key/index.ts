/**
 * API key rotation: the provider port (`KeyProvider`) and the logic an api-key Rotator calls.
 *
 * How a Rotator is meant to use it (one key kept alive beside the new one until consumers move):
 * - createSecret / `generate`: `revokePrevious({ trigger: 'next-rotation' })` for a leftover AWSPREVIOUS
 *   key, then `prepareNewKey` (reuses an unfinished AWSPENDING key, makes room under a key limit) and
 *   `withKey(current, prepared.key)` as the pending value.
 * - setSecret / `apply`: nothing to do at the provider (the key exists once created); `isApplied` is true.
 * - testSecret / `verify`: `verifyNewKey` (bounded retries for propagation); map `KeyRejectedError`.
 * - after consumers refreshed / `revoke`: `revokePrevious({ trigger: 'consumers-moved' })`; `deferred`
 *   means ask again later.
 * `apiKeyRotator` (rotator.ts) does exactly this over a provider registry (registry.ts); the engine has
 * no revocation step, so the rotation workflow calls `revokePreviousKey` (revoke-previous-key.ts).
 */
export * from './backoff';
export * from './errors';
export * from './prepare';
export * from './provider';
export * from './revoke';
export * from './secret';
export * from './verify';
export * from './registry';
export * from './revoke-previous-key';
export * from './rotation-errors';
export * from './rotator';
export * from './select';
