import {
  DescribeDBClustersCommand,
  DescribeDBInstancesCommand,
  ModifyDBClusterCommand,
  ModifyDBInstanceCommand,
  RDSClient,
} from '@aws-sdk/client-rds';
import type { Sensitive } from '../core/sensitive';
import { RdsRequestError, RdsUnavailableError } from '../core/rotation/errors';
import type { RdsDatabaseInfo, RdsPort, RdsTarget } from '../core/rotation/database/ports';
import { awsErrorInfo } from './aws-errors';

const NOT_FOUND = new Set([
  'DBInstanceNotFoundFault',
  'DBInstanceNotFound',
  'DBClusterNotFoundFault',
  'DBClusterNotFound',
]);

/**
 * The RdsPort over RDS: endpoint and status of an instance or cluster, and the master password reset
 * (ModifyDBInstance/ModifyDBCluster `MasterUserPassword`, `ApplyImmediately`). Errors name the
 * operation, the identifier and the AWS code; throttling and 5xx are `RdsUnavailableError` (retryable).
 *
 * @example
 *   const rds = rdsPort(new RDSClient({}));
 */
export function rdsPort(client: RDSClient = new RDSClient({})): RdsPort {
  const fail = (operation: string, target: RdsTarget, error: unknown): never => {
    const { code, retryable } = awsErrorInfo(error);
    const id = target.clusterId ?? target.instanceId ?? '?';
    // The RDS identifier stands in for the secret id; the rotator re-raises these naming the secret.
    const where = { secretId: id, check: operation };
    if (retryable)
      throw new RdsUnavailableError(`RDS could not answer ${operation} for ${id} (${code})`, where, error);
    throw new RdsRequestError(`RDS refused ${operation} for ${id} (${code})`, where, error);
  };

  return {
    async describe(target: RdsTarget): Promise<RdsDatabaseInfo | undefined> {
      try {
        if (target.clusterId !== undefined) {
          const out = await client.send(
            new DescribeDBClustersCommand({ DBClusterIdentifier: target.clusterId }),
          );
          const cluster = out.DBClusters?.[0];
          if (cluster === undefined) return undefined;
          return {
            status: cluster.Status ?? 'unknown',
            ...(cluster.Endpoint === undefined
              ? {}
              : { endpoint: { host: cluster.Endpoint, port: cluster.Port ?? 0 } }),
            ...(cluster.MasterUsername === undefined ? {} : { masterUsername: cluster.MasterUsername }),
            ...(cluster.Engine === undefined ? {} : { engine: cluster.Engine }),
          };
        }
        const out = await client.send(
          new DescribeDBInstancesCommand({ DBInstanceIdentifier: target.instanceId }),
        );
        const instance = out.DBInstances?.[0];
        if (instance === undefined) return undefined;
        const address = instance.Endpoint?.Address;
        return {
          status: instance.DBInstanceStatus ?? 'unknown',
          ...(address === undefined
            ? {}
            : { endpoint: { host: address, port: instance.Endpoint?.Port ?? 0 } }),
          ...(instance.MasterUsername === undefined ? {} : { masterUsername: instance.MasterUsername }),
          ...(instance.Engine === undefined ? {} : { engine: instance.Engine }),
        };
      } catch (error) {
        if (NOT_FOUND.has(awsErrorInfo(error).code)) return undefined;
        return fail(
          target.clusterId !== undefined ? 'DescribeDBClusters' : 'DescribeDBInstances',
          target,
          error,
        );
      }
    },

    async resetMasterPassword(target: RdsTarget, password: Sensitive<string>): Promise<void> {
      try {
        if (target.clusterId !== undefined) {
          await client.send(
            new ModifyDBClusterCommand({
              DBClusterIdentifier: target.clusterId,
              MasterUserPassword: password.reveal(),
              ApplyImmediately: true,
            }),
          );
        } else {
          await client.send(
            new ModifyDBInstanceCommand({
              DBInstanceIdentifier: target.instanceId,
              MasterUserPassword: password.reveal(),
              ApplyImmediately: true,
            }),
          );
        }
      } catch (error) {
        // The request carried the password: keep only the error's code, not the error (its message or
        // any request echo), as the cause.
        const { code, retryable } = awsErrorInfo(error);
        fail(target.clusterId !== undefined ? 'ModifyDBCluster' : 'ModifyDBInstance', target, {
          name: code,
          ...(retryable ? { $retryable: {} } : {}),
        });
      }
    },
  };
}
