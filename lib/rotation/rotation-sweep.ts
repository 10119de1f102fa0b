import { Duration, RemovalPolicy, Stack, Token, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as targets from 'aws-cdk-lib/aws-scheduler-targets';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import { ROTOR_METRICS } from '../../core/contracts/metrics';
import type { AuditTrail } from '../audit-trail';
import { RotorFunction } from '../shared/rotor-function';
import { RETRYABLE_ERRORS, type RotationWorkflow } from './rotation-workflow';

export interface RotationSweepProps {
  /** Where the sweep records its plans (what it skipped and why) and their outcomes. */
  readonly audit: AuditTrail;
  /** The workflow each due secret is rotated by. */
  readonly workflow: RotationWorkflow;
  /**
   * Rotations in flight at once, 1 to 40 (an inline Map's limit): a cap against connection storms on one
   * database and Secrets Manager's quotas. @default 10
   */
  readonly maxConcurrency?: number;
  /** When the sweep runs. @default every day at 03:00 UTC */
  readonly schedule?: scheduler.ScheduleExpression;
  /** How far the start may drift, spreading the load. @default 15 minutes */
  readonly flexibleWindow?: Duration;
  /**
   * Due secrets per round of the Map. The state (256 KB at most) carries one round's ARNs, and the sweep loops
   * round after round within one execution. @default 500
   */
  readonly batchSize?: number;
  /**
   * Rounds per execution. Each rotation costs about ten history events, and an execution holds 25,000; what
   * is still due after this many rounds is left to the next day's sweep (and shows as OverdueSecrets).
   * @default 4
   */
  readonly maxBatches?: number;
}

/**
 * The daily rotation sweep (Step Functions, standard):
 *
 *  1. Begin       the first round: batch 0, no cursor
 *  2. Plan        the sweep function lists the managed secrets (ListSecrets by the `rotor:kind` tag, never a
 *                 value), decides each, audits the plan (what it skipped and why), emits OverdueSecrets, and
 *                 returns one batch of due secret ARNs
 *  3. RotateDue   Map over the batch, `maxConcurrency` at a time: StartRotation runs the rotation workflow
 *                 (`startExecution.sync:2`) and reports rotated or lock held; a failure is caught per item
 *                 (RotationFailed) so one secret does not stop the rest
 *  4. Summarize   counts, audit, RotationsStarted
 *  5. More?       another batch (up to `maxBatches`) -> Plan, else Done
 *
 * EventBridge Scheduler starts it daily with a flexible window.
 *
 * @example
 *   new RotationSweep(this, 'Sweep', { audit, workflow, maxConcurrency: 10 });
 */
export class RotationSweep extends Construct {
  readonly stateMachine: sfn.StateMachine;
  readonly sweepFunction: RotorFunction;
  readonly schedule: scheduler.Schedule;

  constructor(scope: Construct, id: string, props: RotationSweepProps) {
    super(scope, id);
    const maxConcurrency = props.maxConcurrency ?? 10;
    const maxBatches = props.maxBatches ?? 4;
    const batchSize = props.batchSize ?? 500;
    // An inline Map runs at most 40 iterations at once whatever it asks for; 0 would mean no cap at all.
    if (!Number.isInteger(maxConcurrency) || maxConcurrency < 1 || maxConcurrency > 40) {
      throw new Error(`RotationSweep ${id}: maxConcurrency must be an integer from 1 to 40`);
    }
    if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 1000) {
      throw new Error(`RotationSweep ${id}: batchSize must be 1 to 1000 (the state holds at most 256 KB)`);
    }

    this.sweepFunction = new RotorFunction(this, 'Function', {
      name: 'rotation-sweep',
      service: ROTOR_METRICS.sweepStarted.service,
      description: 'Rotation sweep: which managed secrets are due, and what their rotations did',
      timeout: Duration.minutes(5),
      environment: { ...props.audit.environment, SWEEP_BATCH_SIZE: String(batchSize) },
    });
    const fn = this.sweepFunction.function;
    props.audit.grantAppend(fn);
    // ListSecrets supports no resource-level permission (the Service Authorization Reference lists no resource
    // type for it): the listing is scoped by the `rotor:kind` tag filter instead, and returns metadata only.
    fn.addToRolePolicy(
      new iam.PolicyStatement({ actions: ['secretsmanager:ListSecrets'], resources: ['*'] }),
    );
    Validations.of(this.sweepFunction.role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'secretsmanager:ListSecrets has no resource-level permissions; it returns metadata (names, tags, dates), never a value.',
    });

    const invoke = (stateId: string, payload: Record<string, unknown>, resultPath: string) =>
      new tasks.LambdaInvoke(this, stateId, {
        lambdaFunction: fn,
        payload: sfn.TaskInput.fromObject(payload),
        payloadResponseOnly: true,
        resultPath,
        retryOnServiceExceptions: false,
      }).addRetry({
        errors: RETRYABLE_ERRORS,
        interval: Duration.seconds(5),
        backoffRate: 2,
        maxAttempts: 5,
        jitterStrategy: sfn.JitterType.FULL,
      });

    const begin = new sfn.Pass(this, 'Begin', { parameters: { cursor: { batch: 0 } } });
    const plan = invoke(
      'Plan',
      { action: 'plan', 'executionId.$': '$$.Execution.Id', 'cursor.$': '$.cursor' },
      '$.plan',
    );

    const startRotation = new tasks.StepFunctionsStartExecution(this, 'StartRotation', {
      stateMachine: props.workflow.stateMachine,
      integrationPattern: sfn.IntegrationPattern.RUN_JOB,
      associateWithParent: true,
      input: sfn.TaskInput.fromObject({ 'secretId.$': '$.secretId', 'reason.$': '$.reason' }),
      resultSelector: { 'output.$': '$.Output' },
      resultPath: '$.rotation',
    });
    startRotation.addRetry({
      errors: [
        'StepFunctions.ExecutionLimitExceededException',
        'StepFunctions.SdkClientException',
        'States.Timeout',
      ],
      interval: Duration.seconds(10),
      backoffRate: 2,
      maxAttempts: 3,
      jitterStrategy: sfn.JitterType.FULL,
    });
    const item = (stateId: string, result: 'rotated' | 'skipped' | 'failed') =>
      new sfn.Pass(this, stateId, {
        parameters: {
          'secretId.$': '$.secretId',
          result,
          ...(result === 'failed' ? { 'error.$': '$.error.Error' } : {}),
        },
      });
    startRotation.addCatch(item('RotationFailed', 'failed'), { resultPath: '$.error' });
    // The workflow ends Rotated after its End state (`end` in its output) or Skipped when the lock is held.
    const outcome = new sfn.Choice(this, 'Outcome')
      .when(sfn.Condition.isPresent('$.rotation.output.end'), item('Rotated', 'rotated'))
      .otherwise(item('LockHeld', 'skipped'));
    const rotateDue = new sfn.Map(this, 'RotateDue', {
      itemsPath: '$.plan.due',
      maxConcurrency,
      itemSelector: { 'secretId.$': '$$.Map.Item.Value.secretId', 'reason.$': '$$.Map.Item.Value.reason' },
      resultPath: '$.results',
    });
    rotateDue.itemProcessor(startRotation.next(outcome));

    const summarize = invoke(
      'Summarize',
      {
        action: 'summarize',
        'executionId.$': '$$.Execution.Id',
        'batch.$': '$.plan.batch',
        'results.$': '$.results',
      },
      '$.summary',
    );
    const next = new sfn.Pass(this, 'NextBatch', {
      parameters: { cursor: { 'after.$': '$.plan.after', 'batch.$': '$.plan.batch' } },
    }).next(plan);
    const more = new sfn.Choice(this, 'More')
      .when(
        sfn.Condition.and(
          sfn.Condition.booleanEquals('$.plan.more', true),
          sfn.Condition.numberLessThan('$.plan.batch', maxBatches),
        ),
        next,
      )
      .otherwise(new sfn.Succeed(this, 'Done'));

    const definition = begin.next(plan).next(rotateDue).next(summarize).next(more);
    this.stateMachine = new sfn.StateMachine(this, 'Resource', {
      stateMachineType: sfn.StateMachineType.STANDARD,
      definitionBody: sfn.DefinitionBody.fromChainable(definition),
      timeout: Duration.hours(12),
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

    this.schedule = new scheduler.Schedule(this, 'Daily', {
      schedule: props.schedule ?? scheduler.ScheduleExpression.cron({ minute: '0', hour: '3' }),
      target: new targets.StepFunctionsStartExecution(this.stateMachine, {
        input: scheduler.ScheduleTargetInput.fromObject({}),
        retryAttempts: 3,
      }),
      timeWindow: scheduler.TimeWindow.flexible(props.flexibleWindow ?? Duration.minutes(15)),
      description: 'Rotor: the daily rotation sweep',
    });
    this.#acknowledge(fn, props.workflow.stateMachine);
  }

  #acknowledge(fn: lambda.IFunction, workflow: sfn.IStateMachine): void {
    const stack = Stack.of(this);
    const fnId = stack.resolve((fn.node.defaultChild as lambda.CfnFunction).logicalId);
    const workflowId = stack.resolve((workflow.node.defaultChild as sfn.CfnStateMachine).logicalId);
    const role = this.stateMachine.role;
    // cdk-nag prints pseudo parameters as <AWS::Region>, concrete environments as they are.
    const region = Token.isUnresolved(stack.region) ? '<AWS::Region>' : stack.region;
    const account = Token.isUnresolved(stack.account) ? '<AWS::AccountId>' : stack.account;
    Validations.of(role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'X-Ray PutTraceSegments/PutTelemetryRecords and CloudWatch Logs delivery support no resource-level permissions; Step Functions adds them for tracing and logging.',
    });
    Validations.of(role).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${fnId}.Arn>:*]`,
      reason: 'Invoking the sweep function by any of its versions; it is this one function only.',
    });
    Validations.of(role).acknowledge({
      id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:states:${region}:${account}:execution:{"Fn::Select":[6,{"Fn::Split":[":",{"Ref":"${workflowId}"}]}]}*]`,
      reason:
        'startExecution.sync:2 polls (DescribeExecution) and stops (StopExecution) the executions it started: executions of the rotation workflow only, whose names are not known in advance.',
    });
  }
}
