import { RDSClient } from '@aws-sdk/client-rds';
import { mysqlDriver } from '../../adapters/mysql';
import { postgresDriver } from '../../adapters/postgres';
import { rdsPort } from '../../adapters/rds';
import { databaseRotatorFor } from '../../core/rotation/database/select';
import { rotationHandler } from '../shared/rotation-handler';

// Rotates PostgreSQL and MySQL/MariaDB passwords (single user or alternating users), chosen by the
// secret's rotor:kind and rotor:strategy tags. A lost RDS master password is reset through the RDS API only
// where the function was granted it on that instance or cluster.
export const handler = rotationHandler({
  service: 'rotate-database',
  rotatorFor: databaseRotatorFor({
    drivers: { postgres: postgresDriver(), mysql: mysqlDriver() },
    rds: rdsPort(new RDSClient({})),
    masterPasswordRecovery: true,
  }),
});
