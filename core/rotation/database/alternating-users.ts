import { CredentialRejectedError, InvalidSecretError } from '../errors';
import { AWSCURRENT } from '../ports';
import type { AppliedVersions, RotatorContext } from '../rotator';
import {
  login,
  resolveTarget,
  sameServer,
  tryLogin,
  whereOf,
  withSession,
  type DatabaseSettings,
} from './session';
import { FAMILY_DEFAULTS, familyOf, parseDatabaseSecret, type DatabaseSecret } from './secret';

/*
 * Alternating users: the secret alternates between `<name>` and `<name>_clone`. An admin (the secret named
 * by `masterarn`) creates the other user with the privileges of the current one, or sets its password, so
 * consumers still holding the previous credentials keep working until the next rotation.
 */

export const CLONE_SUFFIX = '_clone';

/** The other user of the pair. */
export function alternateUsername(username: string): string {
  return username.endsWith(CLONE_SUFFIX)
    ? username.slice(0, -CLONE_SUFFIX.length)
    : `${username}${CLONE_SUFFIX}`;
}

/** createSecret: the other user, a new password. */
export async function generateAlternating(
  current: DatabaseSecret,
  context: RotatorContext,
  maxUsernameLength?: number,
): Promise<DatabaseSecret> {
  const username = alternateUsername(current.username);
  const limit = maxUsernameLength ?? FAMILY_DEFAULTS[familyOf(current.engine)].maxUsernameLength;
  if (username.length > limit) {
    throw new InvalidSecretError(`the clone's username would exceed ${limit} characters`, {
      ...whereOf(context, 'username-length'),
      fields: ['username'],
    });
  }
  return { ...current, username, password: await context.newPassword() };
}

/** setSecret for alternating users. */
export async function applyAlternating(
  { pending, current }: AppliedVersions<DatabaseSecret>,
  settings: DatabaseSettings,
  context: RotatorContext,
): Promise<void> {
  if (alternateUsername(current.username) !== pending.username) {
    throw new InvalidSecretError('the pending user is neither the current user nor its clone', {
      ...whereOf(context, 'alternate-username'),
      fields: ['username'],
    });
  }
  const target = { ...(await sameServer(current, pending, settings, context)), tls: current.tls };
  // The current credentials must work before an admin acts on their behalf (no confused deputy).
  const check = await tryLogin(settings, target, current, 'current', context);
  if (check === undefined) {
    throw new CredentialRejectedError(
      'the database refused the current credentials',
      whereOf(context, 'current-login'),
    );
  }
  await check.close().catch(() => undefined);

  const master = await readMaster(current, context);
  const masterTarget = await resolveTarget(
    { ...master, ...(current.dbname === undefined ? {} : { dbname: current.dbname }) },
    settings,
    context,
  );
  if (masterTarget.host !== target.host) {
    throw new InvalidSecretError('the master secret names another host than the current version', {
      ...whereOf(context, 'master-host'),
      fields: ['masterarn'],
    });
  }
  const admin = await login(settings, masterTarget, master, 'master', context);
  // The pending password is set last: a login with it (setSecret's idempotency probe) succeeds only once
  // the user exists on every host and holds the grants, so a crash half-way is redone on the retry.
  const placeholder = await context.newPassword();
  await withSession(admin, context, 'clone-user', async (session) => {
    await session.createUser(pending.username, placeholder, current.username);
    await session.copyGrants(current.username, pending.username);
    await session.setUserPassword(pending.username, pending.password);
  });
}

async function readMaster(current: DatabaseSecret, context: RotatorContext): Promise<DatabaseSecret> {
  if (current.masterarn === undefined) {
    throw new InvalidSecretError('alternating users need the admin secret', {
      ...whereOf(context, 'masterarn'),
      fields: ['masterarn'],
    });
  }
  const version = await context.store.getValue(current.masterarn, { stage: AWSCURRENT });
  if (version === undefined) {
    throw new InvalidSecretError('the admin secret has no AWSCURRENT value', {
      ...whereOf(context, 'master-secret'),
      fields: ['masterarn'],
    });
  }
  const master = parseDatabaseSecret(
    version.secretString,
    { ...whereOf(context, 'master-secret') },
    {
      family: familyOf(current.engine),
      master: true,
    },
  );
  if (
    master.host !== undefined ||
    master.dbInstanceIdentifier !== undefined ||
    master.dbClusterIdentifier !== undefined
  )
    return master;
  // An RDS-managed master secret holds only username and password; RDS tags it with its database.
  const description = await context.store.describe(current.masterarn);
  const instanceArn = description.tags['aws:rds:primarydbinstancearn'];
  const clusterArn = description.tags['aws:rds:primarydbclusterarn'];
  if (clusterArn !== undefined) return { ...master, dbClusterIdentifier: clusterArn };
  if (instanceArn !== undefined) return { ...master, dbInstanceIdentifier: instanceArn };
  throw new InvalidSecretError('the admin secret has no host and no RDS tag naming its database', {
    ...whereOf(context, 'master-host'),
    fields: ['host'],
  });
}
