import { App, Duration, Stack, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { AwsSolutionsChecks } from 'cdk-nag';
import { AuditTrail } from '../../lib/audit-trail';
import { DatabaseRotation } from '../../lib/rotation/database-rotation';
import { expectNagClean, NO_BUNDLING, policyLines } from '../support/synth';

function scenario(nag = false) {
  const app = new App({ context: NO_BUNDLING });
  if (nag) Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
  const stack = new Stack(app, 'Databases', { env: { account: '123456789012', region: 'eu-west-1' } });
  const vpc = ec2.Vpc.fromVpcAttributes(stack, 'Vpc', {
    vpcId: 'vpc-0123456789abcdef0',
    availabilityZones: ['eu-west-1a', 'eu-west-1b'],
    privateSubnetIds: ['subnet-0aaaaaaaaaaaaaaa1', 'subnet-0aaaaaaaaaaaaaaa2'],
  });
  const dbGroup = ec2.SecurityGroup.fromSecurityGroupId(stack, 'DbGroup', 'sg-0d0b0000000000001', {
    mutable: true,
  });
  const database = {
    connections: new ec2.Connections({ securityGroups: [dbGroup], defaultPort: ec2.Port.tcp(5432) }),
  };
  const audit = new AuditTrail(stack, 'Audit', { ingestCloudTrail: false });
  const secret = (name: string) => new secretsmanager.Secret(stack, name, { secretName: name });
  const orders = secret('orders-db');
  const billing = secret('billing-db');
  const admin = secret('admin-db');
  const shop = secret('shop-mysql');
  Validations.of(admin).acknowledge({
    id: 'AwsSolutions-SMG4',
    reason: 'test fixture: the admin secret is rotated by its owner, not by this scenario',
  });
  new DatabaseRotation(stack, 'OrdersRotation', { secret: orders, engine: 'postgres', vpc, database, audit });
  new DatabaseRotation(stack, 'BillingRotation', {
    secret: billing,
    engine: 'postgres',
    strategy: 'alternating-users',
    masterSecret: admin,
    vpc,
    database,
    audit,
    automaticallyAfter: Duration.days(7),
    rdsResourceArn: 'arn:aws:rds:eu-west-1:123456789012:db:billing',
  });
  new DatabaseRotation(stack, 'ShopRotation', { secret: shop, engine: 'mariadb', vpc, audit });
  return { app, stack };
}

describe('DatabaseRotation', () => {
  const { stack } = scenario();
  const template = Template.fromStack(stack);
  const functions = template.findResources('AWS::Lambda::Function');

  it('shares one function per engine family and VPC', () => {
    expect(Object.keys(functions).sort()).toEqual([
      expect.stringMatching(/^RotateDatabaseMysql/),
      expect.stringMatching(/^RotateDatabasePostgres/),
    ]);
  });

  it('runs the function in the VPC, on Node 22 arm64, trusting the RDS certificate authorities', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs22.x',
      Architectures: ['arm64'],
      VpcConfig: {
        SubnetIds: ['subnet-0aaaaaaaaaaaaaaa1', 'subnet-0aaaaaaaaaaaaaaa2'],
        SecurityGroupIds: [Match.anyValue()],
      },
      Environment: {
        Variables: Match.objectLike({
          NODE_EXTRA_CA_CERTS: '/var/runtime/ca-cert.pem',
          ROTOR_PASSWORD_LENGTH: '32',
          AUDIT_TABLE_NAME: Match.anyValue(),
        }),
      },
    });
  });

  it('lets the function into the database on its port', () => {
    template.hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
      GroupId: 'sg-0d0b0000000000001',
      IpProtocol: 'tcp',
      FromPort: 5432,
      ToPort: 5432,
      SourceSecurityGroupId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^RotateDatabasePostgres'), 'GroupId'] },
    });
  });

  it('schedules rotation of each secret with its function, and lets Secrets Manager invoke it', () => {
    template.hasResourceProperties('AWS::SecretsManager::RotationSchedule', {
      SecretId: { Ref: Match.stringLikeRegexp('^ordersdb') },
      RotationLambdaARN: { 'Fn::GetAtt': [Match.stringLikeRegexp('^RotateDatabasePostgres'), 'Arn'] },
      RotationRules: { ScheduleExpression: 'rate(30 days)' },
      RotateImmediatelyOnUpdate: true,
    });
    template.hasResourceProperties('AWS::SecretsManager::RotationSchedule', {
      SecretId: { Ref: Match.stringLikeRegexp('^billingdb') },
      RotationRules: { ScheduleExpression: 'rate(7 days)' },
    });
    template.hasResourceProperties('AWS::Lambda::Permission', {
      Action: 'lambda:InvokeFunction',
      Principal: 'secretsmanager.amazonaws.com',
    });
  });

  it('tags each secret with its kind and strategy for the function to read', () => {
    const tags = (id: RegExp) =>
      Object.entries(template.findResources('AWS::SecretsManager::Secret')).find(([k]) => id.test(k))![1]
        .Properties.Tags;
    expect(tags(/^ordersdb/)).toEqual([
      { Key: 'rotor:kind', Value: 'postgres' },
      { Key: 'rotor:strategy', Value: 'single-user' },
    ]);
    expect(tags(/^billingdb/)).toEqual([
      { Key: 'rotor:kind', Value: 'postgres' },
      { Key: 'rotor:strategy', Value: 'alternating-users' },
    ]);
    expect(tags(/^shopmysql/)).toEqual([
      { Key: 'rotor:kind', Value: 'mariadb' },
      { Key: 'rotor:strategy', Value: 'single-user' },
    ]);
  });

  it('grants the postgres function exactly its secrets, the admin secret, GetRandomPassword, the RDS resource and the audit trail', () => {
    const summary = policyLines(template, 'RotateDatabasePostgres');
    const rotate =
      'secretsmanager:DescribeSecret,secretsmanager:GetSecretValue,secretsmanager:PutSecretValue,secretsmanager:UpdateSecretVersionStage';
    expect(summary.sort()).toEqual(
      [
        'logs:CreateLogStream,logs:PutLogEvents on {"Fn::GetAtt":["RotateDatabasePostgresDatabasesVpc69C08D8FLogs","Arn"]}',
        'ec2:CreateNetworkInterface,ec2:DescribeNetworkInterfaces,ec2:DescribeSubnets,ec2:DeleteNetworkInterface,ec2:AssignPrivateIpAddresses,ec2:UnassignPrivateIpAddresses on "*"',
        'xray:PutTraceSegments,xray:PutTelemetryRecords on "*"',
        'dynamodb:PutItem,dynamodb:Query,dynamodb:GetItem on {"Fn::GetAtt":["AuditTable","Arn"]}',
        'kms:Encrypt,kms:Decrypt,kms:GenerateDataKey,kms:DescribeKey on {"Fn::GetAtt":["AuditKey","Arn"]}',
        `${rotate} on {"Ref":"ordersdb"}`,
        `${rotate} on {"Ref":"billingdb"}`,
        'secretsmanager:GetRandomPassword on "*"',
        'secretsmanager:GetSecretValue,secretsmanager:DescribeSecret on {"Ref":"admindb"}',
        'rds:DescribeDBInstances,rds:DescribeDBClusters,rds:ModifyDBInstance,rds:ModifyDBCluster on "arn:aws:rds:eu-west-1:123456789012:db:billing"',
      ].sort(),
    );
  });

  it('refuses alternating users without the admin secret, and a database without its VPC', () => {
    const stack2 = new Stack(new App({ context: NO_BUNDLING }), 'Bad');
    const secret = new secretsmanager.Secret(stack2, 'S');
    expect(
      () => new DatabaseRotation(stack2, 'R', { secret, engine: 'postgres', strategy: 'alternating-users' }),
    ).toThrow(/masterSecret/);
    const sg = ec2.SecurityGroup.fromSecurityGroupId(stack2, 'G', 'sg-1');
    expect(
      () =>
        new DatabaseRotation(stack2, 'R2', {
          secret,
          engine: 'mysql',
          database: { connections: new ec2.Connections({ securityGroups: [sg] }) },
        }),
    ).toThrow(/vpc/);
  });

  it('is clean under cdk-nag AwsSolutions', () => {
    expectNagClean(scenario(true).app);
  });
});
