import { Aws, Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
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
import { ROTATION_TAGS } from '../../core/contracts/rotation';
import { LOCK_TABLE, WORKFLOW_ENV } from '../../core/contracts/workflow';
import type { AuditTrail } from '../audit-trail';
import { RotorFunction } from '../shared/rotor-function';

export interface RotationWorkflowProps {
  readonly audit: AuditTrail;
  /** Encrypts the lock table and the notification topic. @default the audit trail's key */
  readonly encryptionKey?: kms.IKey;
  /**
   * How long a rotation may hold a secret's lock before another may take it; also the execution's timeout,
   * so that a lock never expires under a running rotation. @default Duration.hours(3)
   */
  readonly lockTtl?: Duration;
  /** How long an ECS consumer's rollout may take before it counts as failed. @default Duration.minutes(30) */
  readonly consumerTimeout?: Duration;
  /** How often the workflow looks at rolling consumers. @default Duration.seconds(30) */
  readonly consumerPollInterval?: Duration;
  /**
   * How long the previous credential stays valid after every consumer moved (stragglers, cached clients),
   * for kinds that keep one alive. Remediation skips it. @default Duration.minutes(30)
   */
  readonly revokeGracePeriod?: Duration;
  /**
   * The function that updates the scanner's fingerprints of a rotated secret (input `{ secretId }`).
   * @default the scanner's fingerprints are not updated
   */
  readonly fingerprintUpdater?: lambda.IFunction;
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
  'FingerprintStoreUnavailableError',
];

/**
 * The rotation workflow (Step Functions, standard): one run rotates one secret, whatever its kind.
 *
 *  1. Begin         lock the secret (DynamoDB conditional write with an expiry), find its rotation function, mint the token
 *  2. CreateSecret  the secret's rotation function, Step createSecret   } retried with backoff and jitter on
 *  3. SetSecret     ... setSecret                                        } throttling and transient errors;
 *  4. TestSecret    ... testSecret                                       } a failure rolls back (Abandon)
 *  5. FinishSecret  ... finishSecret: AWSCURRENT moves, AWSPREVIOUS keeps the old value
 *  6. Fingerprints  the scanner learns the new value's fingerprint (when an updater is given; best effort)
 *  7. Consumers     the ECS services that read the secret get a new deployment; Wait/Check until they moved
 *  8. Revoke        the previous credential goes (kinds that keep one alive), after the grace period, or at
 *                   once for remediation; a deferral waits until its moment and asks again
 *  9. End           audit the outcome and release the lock; remediation of a leaked AWSCURRENT under
 *                   alternating users rotates once more (the leaked password lives on as AWSPREVIOUS)
 *  on failure: Abandon (AWSPENDING given up, AWSCURRENT never touched) -> End (rolled back) -> Notify (SNS) -> Fail
 *  a consumer that does not move: nothing is revoked -> End (consumers-failed) -> Notify -> Fail
 *  lock held: Skipped (another rotation of the secret is running)
 *
 * Each rotation step is audited by the rotation function itself; consumers and the outcome by the control
 * function; the revocation by the rotation function.
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
    const lockTtl = props.lockTtl ?? Duration.hours(3);

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
        [WORKFLOW_ENV.lockTtlSeconds]: String(lockTtl.toSeconds()),
        [WORKFLOW_ENV.consumerTimeoutSeconds]: String(
          (props.consumerTimeout ?? Duration.minutes(30)).toSeconds(),
        ),
      },
    });
    this.locks.grant(this.control.function, 'dynamodb:PutItem', 'dynamodb:DeleteItem');
    this.control.function.addToRolePolicy(
      new iam.PolicyStatement({
        sid: 'DiscoverConsumers',
        // ECS allows no resource scoping for listing, and a secret's consumers may be in any cluster.
        actions: [
          'ecs:ListClusters',
          'ecs:ListServices',
          'ecs:DescribeServices',
          'ecs:DescribeTaskDefinition',
        ],
        resources: ['*'],
      }),
    );
    Validations.of(this.control.role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'X-Ray PutTraceSegments/PutTelemetryRecords, and ECS ListClusters/ListServices/DescribeServices/DescribeTaskDefinition (consumer discovery reads every cluster; reads only, no resource-level scoping for listing) take no narrower resource.',
    });
    Validations.of(this.control.role).acknowledge({
      id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ecs:<AWS::Region>:<AWS::AccountId>:service/*/*]`,
      reason:
        "UpdateService on the account's services: a secret's consumers are found at run time, in any cluster; the function only forces a new deployment of the same task definition.",
    });
    this.control.function.addToRolePolicy(
      new iam.PolicyStatement({
        sid: 'RefreshConsumers',
        // A forced new deployment of the same task definition only; the consumers are found at run time.
        actions: ['ecs:UpdateService'],
        // Pseudo parameters, not the stack's env: the cdk-nag acknowledgement below must match in any region.
        resources: [`arn:${Aws.PARTITION}:ecs:${Aws.REGION}:${Aws.ACCOUNT_ID}:service/*/*`],
      }),
    );
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

    const end = (stateId: string, result: 'rotated' | 'rolled-back' | 'failed' | 'consumers-failed') =>
      control(
        stateId,
        {
          action: 'end',
          result,
          'secretId.$': '$.began.secretArn',
          'reason.$': '$.began.reason',
          'findingFingerprint.$': '$.began.findingFingerprint',
          'executionId.$': '$$.Execution.Id',
          'began.$': '$.began',
          ...(result === 'rotated' || result === 'consumers-failed'
            ? { 'consumers.$': '$.consumers' }
            : { 'error.$': '$.error' }),
          ...(result === 'rolled-back' ? { 'abandon.$': '$.steps.abandonSecret' } : {}),
        },
        '$.end',
      );

    const step = (
      name: 'createSecret' | 'setSecret' | 'testSecret' | 'finishSecret' | 'abandonSecret' | 'revokePrevious',
      stateId: string,
      extra: Record<string, unknown> = {},
      resultSelector: Record<string, string> = { 'outcome.$': '$.Payload.outcome' },
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
              ...extra,
            },
          },
          ResultSelector: resultSelector,
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
    const abandon = step(
      'abandonSecret',
      'Abandon',
      {},
      {
        'outcome.$': '$.Payload.outcome',
        'restore.$': '$.Payload.restore',
      },
    );
    // A give-up that failed is still a roll-back (AWSCURRENT was never moved); End says the restore is unknown.
    abandon.addCatch(rolledBack, { resultPath: '$.steps.abandonSecret' });
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
      // The whole input: reason, leakedStage, findingFingerprint and followUp are optional.
      { action: 'begin', 'input.$': '$', 'executionId.$': '$$.Execution.Id' },
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

    // After finishSecret: the new value is AWSCURRENT. Nothing below may lose a working credential.
    const consumersFailed = end('EndConsumersFailed', 'consumers-failed')
      .next(
        new tasks.SnsPublish(this, 'NotifyConsumers', {
          topic: this.topic,
          subject: 'Rotor: consumers did not move to a rotated secret',
          message: sfn.TaskInput.fromJsonPathAt('$.end.summary'),
          resultPath: sfn.JsonPath.DISCARD,
        }),
      )
      .next(
        new sfn.Fail(this, 'ConsumersDidNotMove', {
          error: 'ConsumerRefreshFailed',
          causePath: '$.end.summary',
        }),
      );

    const startConsumers = control(
      'StartConsumers',
      {
        action: 'consumers-start',
        'secretId.$': '$.began.secretArn',
        'token.$': '$.began.token',
        'executionId.$': '$$.Execution.Id',
      },
      '$.consumers',
    );
    const checkConsumers = control(
      'CheckConsumers',
      {
        action: 'consumers-check',
        'secretId.$': '$.began.secretArn',
        'token.$': '$.began.token',
        'executionId.$': '$$.Execution.Id',
        'state.$': '$.consumers',
      },
      '$.consumers',
    );
    // Discovery or ECS itself failing leaves the consumers unknown: hold the previous credential too.
    const noConsumerState = new sfn.Pass(this, 'ConsumersUnknown', {
      parameters: {
        pending: [],
        moved: [],
        failed: [],
        pinned: [],
        waiting: false,
        revocable: false,
        'error.$': '$.consumersError',
      },
      resultPath: '$.consumers',
    }).next(consumersFailed);
    for (const state of [startConsumers, checkConsumers]) {
      state.addCatch(noConsumerState, { resultPath: '$.consumersError' });
    }

    const revoke = step(
      'revokePrevious',
      'Revoke',
      {
        'Trigger.$': '$.began.revokeTrigger',
        'ConsumersMovedAt.$': '$.consumers.settledAt',
        GracePeriodSeconds: (props.revokeGracePeriod ?? Duration.minutes(30)).toSeconds(),
        'ExecutionId.$': '$$.Execution.Id',
      },
      { 'revocation.$': '$.Payload' },
    );
    revoke.addCatch(failedAfterFinish, { resultPath: '$.error' });
    const waitToRevoke = new sfn.Wait(this, 'WaitForGracePeriod', {
      time: sfn.WaitTime.timestampPath('$.steps.revokePrevious.revocation.notBefore'),
    }).next(revoke);

    const rotated = end('End', 'rotated');
    const followUp = new sfn.Pass(this, 'RotateAgain', {
      comment: 'remediation under alternating users: the leaked password is now AWSPREVIOUS; replace it too',
      parameters: {
        'secretId.$': '$.began.secretArn',
        'reason.$': '$.began.reason',
        'findingFingerprint.$': '$.began.findingFingerprint',
        leakedStage: 'AWSPREVIOUS',
        followUp: true,
      },
    }).next(begin);
    rotated.next(
      new sfn.Choice(this, 'RotateAgain?')
        .when(sfn.Condition.booleanEquals('$.began.rotateAgain', true), followUp)
        .otherwise(new sfn.Succeed(this, 'Rotated')),
    );

    const revokeDone = new sfn.Choice(this, 'Revoked?')
      .when(sfn.Condition.stringEquals('$.steps.revokePrevious.revocation.result', 'deferred'), waitToRevoke)
      .otherwise(rotated);
    revoke.next(revokeDone);

    const waitForConsumers = new sfn.Wait(this, 'WaitForConsumers', {
      time: sfn.WaitTime.duration(props.consumerPollInterval ?? Duration.seconds(30)),
    });
    const settled = new sfn.Choice(this, 'ConsumersMoved?')
      .when(sfn.Condition.booleanEquals('$.consumers.waiting', true), waitForConsumers)
      .when(sfn.Condition.booleanEquals('$.consumers.revocable', true), revoke)
      .otherwise(consumersFailed);
    waitForConsumers.next(checkConsumers);
    checkConsumers.next(settled);
    startConsumers.next(settled);

    let afterFinish: sfn.IChainable = startConsumers;
    if (props.fingerprintUpdater) {
      const fingerprints = new tasks.LambdaInvoke(this, 'UpdateFingerprints', {
        lambdaFunction: props.fingerprintUpdater,
        payload: sfn.TaskInput.fromObject({ 'secretId.$': '$.began.secretArn' }),
        payloadResponseOnly: true,
        resultPath: '$.fingerprints',
        retryOnServiceExceptions: false,
      }).addRetry({
        errors: RETRYABLE_ERRORS,
        interval: Duration.seconds(2),
        backoffRate: 2,
        maxAttempts: 4,
        jitterStrategy: sfn.JitterType.FULL,
      });
      const updaterId = Stack.of(this).resolve(
        (props.fingerprintUpdater.node.defaultChild as lambda.CfnFunction).logicalId,
      );
      Validations.of(this).acknowledge({
        id: `AwsSolutions-IAM5[Resource::<${updaterId}.Arn>:*]`,
        reason:
          'Invoking the fingerprint updater by any of its versions (Step Functions adds function:* for qualified invocations); it is this one function only.',
      });
      // The rotation stands without them: the scanner only misses the new value until the next update.
      fingerprints.addCatch(startConsumers, { resultPath: '$.fingerprintsError' });
      fingerprints.next(startConsumers);
      afterFinish = fingerprints;
    }

    const definition = begin.next(create).next(set).next(test).next(finish).next(afterFinish);

    this.stateMachine = new sfn.StateMachine(this, 'Resource', {
      stateMachineType: sfn.StateMachineType.STANDARD,
      definitionBody: sfn.DefinitionBody.fromChainable(definition),
      timeout: lockTtl,
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
    const arn = secret.secretFullArn ?? `${secret.secretArn}-??????`;
    this.control.function.addToRolePolicy(
      new iam.PolicyStatement({ actions: ['secretsmanager:DescribeSecret'], resources: [arn] }),
    );
    // End records when AWSCURRENT moved (rotor:rotated-at) for the sweep; that tag and no other.
    this.control.function.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['secretsmanager:TagResource'],
        resources: [arn],
        conditions: { 'ForAllValues:StringEquals': { 'aws:TagKeys': [ROTATION_TAGS.rotatedAt] } },
      }),
    );
    this.addRotationFunction(rotationFunction);
  }

  /** Lets the grantee start rotations. */
  grantStart(grantee: iam.IGrantable): iam.Grant {
    return this.stateMachine.grantStartExecution(grantee);
  }
}
