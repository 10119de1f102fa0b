import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import { LOCK_TABLE, WORKFLOW_ENV } from '../../core/contracts/workflow';
import type { AuditTrail } from '../audit-trail';
import { RotorFunction } from '../shared/rotor-function';

export interface RotationWorkflowProps {
  readonly audit: AuditTrail;
  /** Encrypts the lock table and the notification topic. @default the audit trail's key */
  readonly encryptionKey?: kms.IKey;
  /** How long a rotation may hold a secret's lock before another may take it. @default Duration.hours(1) */
  readonly lockTtl?: Duration;
}

/** Errors worth a retry with backoff: Lambda's own, throttling, and Rotor's transient error classes. */
export const RETRYABLE_ERRORS = [
  'Lambda.ServiceException',
  'Lambda.AWSLambdaException',
  'Lambda.SdkClientException',
  'Lambda.TooManyRequestsException',
  'ThrottlingException',
  'TransientError',
  'DatabaseUnreachableError',
  'DatabaseNotAvailableError',
  'SecretStoreUnavailableError',
  'RdsUnavailableError',
  'ProviderUnavailableError',
  'SignerUnavailableError',
  'ChainContentionError',
];

/**
 * The rotation workflow (Step Functions, standard): one run rotates one secret, whatever its kind.
 *
 *  1. Begin         lock the secret (DynamoDB conditional write with an expiry), find its rotation function, mint the token
 *  2. CreateSecret  the secret's rotation function, Step createSecret   } retried with backoff and jitter on
 *  3. SetSecret     ... setSecret                                        } throttling and transient errors;
 *  4. TestSecret    ... testSecret                                       } a failure rolls back (Abandon)
 *  5. FinishSecret  ... finishSecret: AWSCURRENT moves, AWSPREVIOUS keeps the old value
 *  6. End           audit the outcome and release the lock
 *  on failure: Abandon (AWSPENDING given up, AWSCURRENT never touched) -> End (rolled back) -> Notify (SNS) -> Fail
 *  lock held: Skipped (another rotation of the secret is running)
 *
 * Each rotation step is audited by the rotation function itself; the outcome by End.
 */
export class RotationWorkflow extends Construct {
  readonly stateMachine: sfn.StateMachine;
  readonly locks: dynamodb.Table;
  readonly topic: sns.Topic;
  readonly control: RotorFunction;
  #invokePolicy?: iam.Policy;
  readonly #rotationFunctions: lambda.IFunction[] = [];

  constructor(scope: Construct, id: string, props: RotationWorkflowProps) {
    super(scope, id);
    const key = props.encryptionKey ?? props.audit.encryptionKey;

    this.locks = new dynamodb.Table(this, 'Locks', {
      partitionKey: { name: LOCK_TABLE.partitionKey, type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      encryption: dynamodb.TableEncryption.CUSTOMER_MANAGED,
      encryptionKey: key,
      timeToLiveAttribute: LOCK_TABLE.ttlAttribute,
      // Holds only who rotates what right now, for an hour at most: nothing to keep.
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.topic = new sns.Topic(this, 'Notifications', {
      masterKey: key,
      enforceSSL: true,
      displayName: 'Rotor rotations',
    });

    this.control = new RotorFunction(this, 'Control', {
      name: 'rotation-control',
      service: 'rotation-control',
      description: 'Rotation workflow: lock, token, outcome audit',
      environment: {
        ...props.audit.environment,
        [WORKFLOW_ENV.lockTableName]: this.locks.tableName,
        [WORKFLOW_ENV.lockTtlSeconds]: String((props.lockTtl ?? Duration.hours(1)).toSeconds()),
      },
    });
    this.locks.grant(this.control.function, 'dynamodb:PutItem', 'dynamodb:DeleteItem');
    props.audit.grantAppend(this.control.function);

    const control = (stateId: string, payload: Record<string, unknown>, resultPath: string) =>
      new tasks.LambdaInvoke(this, stateId, {
        lambdaFunction: this.control.function,
        payload: sfn.TaskInput.fromObject(payload),
        payloadResponseOnly: true,
        resultPath,
        retryOnServiceExceptions: false,
      }).addRetry({
        errors: RETRYABLE_ERRORS,
        interval: Duration.seconds(2),
        backoffRate: 2,
        maxAttempts: 4,
        jitterStrategy: sfn.JitterType.FULL,
      });

    const end = (stateId: string, result: 'rotated' | 'rolled-back' | 'failed') =>
      control(
        stateId,
        {
          action: 'end',
          result,
          'secretId.$': '$.secretId',
          'reason.$': '$.reason',
          'executionId.$': '$$.Execution.Id',
          'began.$': '$.began',
          ...(result === 'rotated' ? {} : { 'error.$': '$.error' }),
        },
        '$.end',
      );

    const step = (
      name: 'createSecret' | 'setSecret' | 'testSecret' | 'finishSecret' | 'abandonSecret',
      stateId: string,
    ) =>
      new sfn.CustomState(this, stateId, {
        stateJson: {
          Type: 'Task',
          Resource: 'arn:aws:states:::lambda:invoke',
          Parameters: {
            'FunctionName.$': '$.began.rotationFunctionArn',
            Payload: {
              'SecretId.$': '$.began.secretArn',
              'ClientRequestToken.$': '$.began.token',
              Step: name,
              Workflow: true,
            },
          },
          ResultSelector: { 'outcome.$': '$.Payload.outcome' },
          ResultPath: `$.steps.${name}`,
        },
      }).addRetry({
        errors: RETRYABLE_ERRORS,
        interval: Duration.seconds(2),
        backoffRate: 2,
        maxAttempts: 4,
        jitterStrategy: sfn.JitterType.FULL,
      });

    const notify = new tasks.SnsPublish(this, 'Notify', {
      topic: this.topic,
      subject: 'Rotor: a rotation did not complete',
      message: sfn.TaskInput.fromJsonPathAt('$.end.summary'),
      resultPath: sfn.JsonPath.DISCARD,
    });
    const rolledBack = end('EndRolledBack', 'rolled-back')
      .next(notify)
      .next(new sfn.Fail(this, 'RotationFailed', { error: 'RotationFailed', causePath: '$.end.summary' }));
    const abandon = step('abandonSecret', 'Abandon');
    abandon.addCatch(rolledBack, { resultPath: '$.abandonError' });
    abandon.next(rolledBack);
    const failedAfterFinish = end('EndFailed', 'failed').next(
      new tasks.SnsPublish(this, 'NotifyFailed', {
        topic: this.topic,
        subject: 'Rotor: a rotation failed after the new value became current',
        message: sfn.TaskInput.fromJsonPathAt('$.end.summary'),
        resultPath: sfn.JsonPath.DISCARD,
      }).next(
        new sfn.Fail(this, 'RotationFailedAfterFinish', {
          error: 'RotationFailed',
          causePath: '$.end.summary',
        }),
      ),
    );

    const begin = control(
      'Begin',
      { action: 'begin', 'secretId.$': '$.secretId', 'executionId.$': '$$.Execution.Id' },
      '$.began',
    );
    begin.addCatch(
      new sfn.Succeed(this, 'Skipped', { comment: 'another rotation of this secret holds its lock' }),
      {
        errors: ['LockHeldError'],
        resultPath: '$.error',
      },
    );
    const create = step('createSecret', 'CreateSecret');
    const set = step('setSecret', 'SetSecret');
    const test = step('testSecret', 'TestSecret');
    const finish = step('finishSecret', 'FinishSecret');
    for (const state of [create, set, test]) state.addCatch(abandon, { resultPath: '$.error' });
    finish.addCatch(failedAfterFinish, { resultPath: '$.error' });

    const definition = begin
      .next(create)
      .next(set)
      .next(test)
      .next(finish)
      .next(end('End', 'rotated'))
      .next(new sfn.Succeed(this, 'Rotated'));

    this.stateMachine = new sfn.StateMachine(this, 'Resource', {
      stateMachineType: sfn.StateMachineType.STANDARD,
      definitionBody: sfn.DefinitionBody.fromChainable(definition),
      timeout: Duration.hours(2),
      tracingEnabled: true,
      logs: {
        destination: new logs.LogGroup(this, 'Logs', {
          retention: logs.RetentionDays.ONE_YEAR,
          removalPolicy: RemovalPolicy.RETAIN,
        }),
        level: sfn.LogLevel.ALL,
        includeExecutionData: false,
      },
    });
    Validations.of(this.stateMachine.role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'X-Ray PutTraceSegments/PutTelemetryRecords and CloudWatch Logs delivery (CreateLogDelivery and friends) support no resource-level permissions; Step Functions adds them for tracing and logging.',
    });
    const controlId = Stack.of(this).resolve(
      (this.control.function.node.defaultChild as lambda.CfnFunction).logicalId,
    );
    Validations.of(this.stateMachine.role).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${controlId}.Arn>:*]`,
      reason:
        'Invoking the control function by any of its versions (Step Functions adds function:* for qualified invocations); it is this one function only.',
    });
  }

  /** Lets the workflow invoke a rotation function (a secret's, found by DescribeSecret at run time). */
  addRotationFunction(fn: lambda.IFunction): void {
    if (this.#rotationFunctions.includes(fn)) return;
    this.#rotationFunctions.push(fn);
    // The rotation functions are known only as secrets join: one policy collects them.
    this.#invokePolicy ??= new iam.Policy(this, 'InvokeRotationFunctions', {
      roles: [this.stateMachine.role],
    });
    this.#invokePolicy.addStatements(
      new iam.PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: [fn.functionArn] }),
    );
  }

  /** Lets the workflow rotate a secret: its control function may describe it. */
  addSecret(secret: secretsmanager.ISecret, rotationFunction: lambda.IFunction): void {
    this.control.function.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['secretsmanager:DescribeSecret'],
        resources: [secret.secretFullArn ?? `${secret.secretArn}-??????`],
      }),
    );
    this.addRotationFunction(rotationFunction);
  }

  /** Lets the grantee start rotations. */
  grantStart(grantee: iam.IGrantable): iam.Grant {
    return this.stateMachine.grantStartExecution(grantee);
  }
}
