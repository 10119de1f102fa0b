import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import {
  DescribeDBClustersCommand,
  DescribeDBInstancesCommand,
  ModifyDBClusterCommand,
  ModifyDBInstanceCommand,
  RDSClient,
} from '@aws-sdk/client-rds';
import { Sensitive } from '../../../../core/sensitive';
import { rdsPort } from '../../../../adapters/rds';
import { RdsRequestError, RdsUnavailableError } from '../../../../core/rotation/errors';

const rdsMock = mockClient(RDSClient);
const rds = rdsPort(new RDSClient({ region: 'eu-west-1' }));
const awsError = (name: string) =>
  Object.assign(new Error(`${name} details`), { name, $fault: 'client', $metadata: { httpStatusCode: 400 } });

beforeEach(() => rdsMock.reset());

describe('rdsPort', () => {
  it('describes an instance: status, endpoint, master user', async () => {
    rdsMock.on(DescribeDBInstancesCommand, { DBInstanceIdentifier: 'orders' }).resolves({
      DBInstances: [
        {
          DBInstanceStatus: 'available',
          Endpoint: { Address: 'orders.x.eu-west-1.rds.amazonaws.com', Port: 5432 },
          MasterUsername: 'postgres',
          Engine: 'postgres',
        },
      ],
    });
    await expect(rds.describe({ instanceId: 'orders' })).resolves.toEqual({
      status: 'available',
      endpoint: { host: 'orders.x.eu-west-1.rds.amazonaws.com', port: 5432 },
      masterUsername: 'postgres',
      engine: 'postgres',
    });
  });

  it('describes a cluster by its writer endpoint', async () => {
    rdsMock.on(DescribeDBClustersCommand, { DBClusterIdentifier: 'orders' }).resolves({
      DBClusters: [
        {
          Status: 'modifying',
          Endpoint: 'orders.cluster-x.eu-west-1.rds.amazonaws.com',
          Port: 3306,
          MasterUsername: 'admin',
          Engine: 'aurora-mysql',
        },
      ],
    });
    await expect(rds.describe({ clusterId: 'orders' })).resolves.toMatchObject({
      status: 'modifying',
      endpoint: { host: 'orders.cluster-x.eu-west-1.rds.amazonaws.com', port: 3306 },
    });
  });

  it('answers undefined for an unknown instance or cluster', async () => {
    rdsMock.on(DescribeDBInstancesCommand).rejects(awsError('DBInstanceNotFoundFault'));
    rdsMock.on(DescribeDBClustersCommand).rejects(awsError('DBClusterNotFoundFault'));
    await expect(rds.describe({ instanceId: 'gone' })).resolves.toBeUndefined();
    await expect(rds.describe({ clusterId: 'gone' })).resolves.toBeUndefined();
  });

  it('resets the master password of an instance or a cluster, immediately', async () => {
    rdsMock.on(ModifyDBInstanceCommand).resolves({});
    rdsMock.on(ModifyDBClusterCommand).resolves({});
    const password = `p-${Math.random().toString(36).slice(2)}`;
    await rds.resetMasterPassword({ instanceId: 'orders' }, Sensitive.of(password));
    await rds.resetMasterPassword({ clusterId: 'orders-cluster' }, Sensitive.of(password));
    expect(rdsMock).toHaveReceivedCommandWith(ModifyDBInstanceCommand, {
      DBInstanceIdentifier: 'orders',
      MasterUserPassword: password,
      ApplyImmediately: true,
    });
    expect(rdsMock).toHaveReceivedCommandWith(ModifyDBClusterCommand, {
      DBClusterIdentifier: 'orders-cluster',
      MasterUserPassword: password,
      ApplyImmediately: true,
    });
  });

  it('makes throttling retryable and refusals not, naming the operation without the password', async () => {
    rdsMock.on(DescribeDBInstancesCommand).rejects(awsError('Throttling'));
    rdsMock.on(ModifyDBInstanceCommand).rejects(awsError('InvalidDBInstanceState'));
    const throttled = await rds.describe({ instanceId: 'orders' }).catch((e) => e);
    expect(throttled).toBeInstanceOf(RdsUnavailableError);
    expect(throttled.retryable).toBe(true);
    const password = `p-${Math.random().toString(36).slice(2)}`;
    const refused = await rds
      .resetMasterPassword({ instanceId: 'orders' }, Sensitive.of(password))
      .catch((e) => e);
    expect(refused).toBeInstanceOf(RdsRequestError);
    expect(refused.message).toContain('ModifyDBInstance');
    expect(refused.message).toContain('InvalidDBInstanceState');
    expect(refused.message).not.toContain(password);
  });
});
