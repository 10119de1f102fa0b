import { DriftError, InvalidSecretError } from '../errors';
import type { AppliedVersions, RotatorContext } from '../rotator';
import type { DatabaseConnection } from './ports';
import {
  rdsCall,
  rdsTargetOf,
  sameServer,
  tryLogin,
  whereOf,
  withSession,
  type DatabaseSettings,
} from './session';
import type { DatabaseSecret } from './secret';

/*
 * Single user: the user changes its own password, so the old password stops working at once.
 * setSecret logs in with the first credential that works, in this order:
 *   current   -> the normal case;
 *   previous  -> the password was rolled back to the AWSPREVIOUS one;
 *   abandoned -> a rotation given up after its setSecret left its password in the database;
 * and sets the pending password. (The pending one was tried first by isApplied.) When none works, the
 * password drifted; for an RDS master user, and only when enabled, RDS resets it to the pending password.
 */

/** createSecret: same user, new password. */
export async function generateSingleUser(
  current: DatabaseSecret,
  context: RotatorContext,
): Promise<DatabaseSecret> {
  return { ...current, password: await context.newPassword() };
}

/** setSecret for the single-user strategy. */
export async function applySingleUser(
  { pending, current, previous, abandoned }: AppliedVersions<DatabaseSecret>,
  settings: DatabaseSettings,
  context: RotatorContext,
): Promise<void> {
  // Never change the password of a user the current version does not name.
  if (current.username !== pending.username) {
    throw new InvalidSecretError('the pending version names another user than the current one', {
      ...whereOf(context, 'same-username'),
      fields: ['username'],
    });
  }
  const target = await sameServer(current, pending, settings, context);
  let connection: DatabaseConnection | undefined = await tryLogin(
    settings,
    target,
    { ...current, tls: pending.tls },
    'current',
    context,
  );
  // Then passwords the database may still have: AWSPREVIOUS (a rollback), ROTOR_ABANDONED (a rotation
  // given up after its setSecret). Only versions of the same user.
  for (const [role, other] of [
    ['previous', previous],
    ['abandoned', abandoned],
  ] as const) {
    if (connection !== undefined || other === undefined || other.username !== pending.username) continue;
    connection = await tryLogin(settings, target, { ...other, tls: pending.tls }, role, context);
    if (connection !== undefined) {
      context.log.warn(`${context.step}: only the ${role} version's password works; recovering with it`, {
        secretId: context.secretId,
      });
    }
  }
  if (connection === undefined) {
    await recoverOrFail(pending, settings, context);
    return;
  }
  await withSession(connection, context, 'set-own-password', (session) =>
    session.setOwnPassword(pending.password),
  );
}

async function recoverOrFail(
  pending: DatabaseSecret,
  settings: DatabaseSettings,
  context: RotatorContext,
): Promise<void> {
  const drift = () =>
    new DriftError(
      'the database accepts none of the pending, current or previous passwords (changed outside of rotation?)',
      whereOf(context, 'known-password'),
    );
  const rdsTarget = rdsTargetOf(pending);
  if (!settings.masterPasswordRecovery || settings.rds === undefined || rdsTarget === undefined)
    throw drift();
  const rds = settings.rds;
  const info = await rdsCall(context, () => rds.describe(rdsTarget));
  if (info?.masterUsername !== pending.username) throw drift();
  // The documented recovery for a lost master password: RDS sets it. The instance goes through
  // `resetting-master-credentials`; testSecret waits for `available` (DatabaseNotAvailableError, retryable).
  await rdsCall(context, () => rds.resetMasterPassword(rdsTarget, pending.password));
  context.log.warn(`${context.step}: reset the RDS master password to the pending version through RDS`, {
    secretId: context.secretId,
    dbInstanceIdentifier: rdsTarget.instanceId,
    dbClusterIdentifier: rdsTarget.clusterId,
  });
}
