import type { Node } from 'constructs';

/**
 * Rotor's deployment settings, read from CDK context (`cdk.json`, `--context key=value`, or
 * `cdk.context.json`). Every key is optional; the defaults are what a first deployment should use.
 */
export interface RotorConfig {
  /** `rotor:auditRetentionDays`: audit records expire after this many days. @default undefined (kept forever) */
  readonly auditRetentionDays?: number;
  /** `rotor:ingestCloudTrail`: record Secrets Manager API calls seen by CloudTrail. @default true */
  readonly ingestCloudTrail: boolean;
}

/** Reads and checks the context; a wrong value fails the synth with the key's name. */
export function readConfig(node: Node): RotorConfig {
  const retention = node.tryGetContext('rotor:auditRetentionDays');
  const ingest = node.tryGetContext('rotor:ingestCloudTrail');
  const auditRetentionDays = retention === undefined || retention === '' ? undefined : Number(retention);
  if (
    auditRetentionDays !== undefined &&
    !(Number.isInteger(auditRetentionDays) && auditRetentionDays >= 1)
  ) {
    throw new Error(
      `context rotor:auditRetentionDays must be a whole number of days, at least 1 (got ${retention})`,
    );
  }
  if (ingest !== undefined && !['true', 'false', true, false].includes(ingest)) {
    throw new Error(`context rotor:ingestCloudTrail must be true or false (got ${ingest})`);
  }
  return { auditRetentionDays, ingestCloudTrail: ingest === undefined ? true : String(ingest) === 'true' };
}
