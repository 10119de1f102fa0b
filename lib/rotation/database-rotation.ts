import { Duration, Names, Tags } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import {
  ROTATION_ENV,
  ROTATION_TAGS,
  type DatabaseEngine,
  type DatabaseStrategyName,
} from '../../core/contracts/rotation';
import type { AuditTrail } from '../audit-trail';
import type { RotationWorkflow } from './rotation-workflow';
import type { RotorFunction } from '../shared/rotor-function';
import { sharedRotationFunction } from './shared-function';

export interface DatabaseRotationProps {
  /** The secret to rotate: AWS's RDS secret JSON (engine, host, port, username, password, dbname...). */
  readonly secret: secretsmanager.ISecret;
  readonly engine: DatabaseEngine;
  /** @default 'single-user' */
  readonly strategy?: DatabaseStrategyName;
  /** The admin secret (the secret's `masterarn`) that creates and updates the clone user. Required for alternating users. */
  readonly masterSecret?: secretsmanager.ISecret;
  /** The VPC the database is reachable from. @default the function runs outside any VPC */
  readonly vpc?: ec2.IVpc;
  /** @default the VPC's private subnets */
  readonly vpcSubnets?: ec2.SubnetSelection;
  /** The database, to allow the rotation function in on its port (an RDS instance or cluster, or a security group holder). */
  readonly database?: ec2.IConnectable;
  /** How often to rotate. @default Duration.days(30) */
  readonly automaticallyAfter?: Duration;
  /** Rotate as soon as the schedule is created or changed. @default true */
  readonly rotateImmediatelyOnUpdate?: boolean;
  /** The RDS instance or cluster ARN the secret names (`dbInstanceIdentifier`/`dbClusterIdentifier`): lets the function resolve its endpoint, check it is available and reset a lost master password. */
  readonly rdsResourceArn?: string;
  /** Where each rotation step is recorded. @default steps are not audited */
  readonly audit?: AuditTrail;
  /** The rotation workflow that may rotate this secret too (remediation, manual runs). @default only Secrets Manager's schedule */
  readonly workflow?: RotationWorkflow;
}

/**
 * Attaches Rotor's rotation to a database secret: the rotation function (one per VPC and engine family,
 * shared between secrets), its network access to the database, least-privilege permissions (this secret,
 * its key, GetRandomPassword, and the admin secret for alternating users), a rotation schedule, and the tags
 * that tell the function the kind and strategy.
 *
 * @example
 *   new DatabaseRotation(this, 'OrdersDbRotation', {
 *     secret: ordersDb.secret!, engine: 'postgres', strategy: 'alternating-users',
 *     masterSecret: adminSecret, vpc, database: ordersDb,
 *   });
 */
export class DatabaseRotation extends Construct {
  /** The (shared) rotation function. */
  readonly rotationFunction: RotorFunction;

  constructor(scope: Construct, id: string, props: DatabaseRotationProps) {
    super(scope, id);
    const strategy = props.strategy ?? 'single-user';
    if (strategy === 'alternating-users' && !props.masterSecret) {
      throw new Error(`DatabaseRotation ${id}: alternating users needs masterSecret (the admin credentials)`);
    }
    if (props.database && !props.vpc) {
      throw new Error(`DatabaseRotation ${id}: a database to connect to needs the vpc it lives in`);
    }

    this.rotationFunction = DatabaseRotation.functionFor(this, props);
    const fn = this.rotationFunction.function;

    // Grants DescribeSecret/GetSecretValue/PutSecretValue/UpdateSecretVersionStage on this secret only,
    // GetRandomPassword, decryption through Secrets Manager, and lets Secrets Manager invoke the function.
    props.secret.addRotationSchedule('Schedule', {
      rotationLambda: fn,
      automaticallyAfter: props.automaticallyAfter ?? Duration.days(30),
      rotateImmediatelyOnUpdate: props.rotateImmediatelyOnUpdate ?? true,
    });
    props.masterSecret?.grantRead(fn);
    if (props.database) props.database.connections.allowDefaultPortFrom(fn, `Rotor rotation of ${id}`);
    if (props.rdsResourceArn) {
      fn.addToRolePolicy(
        new iam.PolicyStatement({
          actions: [
            'rds:DescribeDBInstances',
            'rds:DescribeDBClusters',
            'rds:ModifyDBInstance',
            'rds:ModifyDBCluster',
          ],
          resources: [props.rdsResourceArn],
        }),
      );
    }

    props.workflow?.addSecret(props.secret, fn);
    Tags.of(props.secret).add(ROTATION_TAGS.kind, props.engine);
    Tags.of(props.secret).add(ROTATION_TAGS.strategy, strategy);
  }

  /** The rotation function for an engine family in a VPC, created once per stack. */
  static functionFor(
    scope: Construct,
    {
      engine,
      vpc,
      vpcSubnets,
      audit,
    }: Pick<DatabaseRotationProps, 'engine' | 'vpc' | 'vpcSubnets' | 'audit'>,
  ): RotorFunction {
    const family = engine === 'postgres' ? 'Postgres' : 'Mysql';
    return sharedRotationFunction(
      scope,
      `RotateDatabase${family}${vpc ? Names.nodeUniqueId(vpc.node) : 'NoVpc'}`,
      {
        name: 'rotate-database',
        service: 'rotate-database',
        description: `Rotates ${family === 'Postgres' ? 'PostgreSQL' : 'MySQL/MariaDB'} passwords (Secrets Manager rotation contract)`,
        timeout: Duration.minutes(2),
        vpc,
        vpcSubnets,
        environment: {
          // The Lambda runtime's bundle of Amazon RDS certificate authorities, for TLS to RDS.
          NODE_EXTRA_CA_CERTS: '/var/runtime/ca-cert.pem',
          [ROTATION_ENV.passwordLength]: '32',
        },
        audit,
      },
    );
  }
}
