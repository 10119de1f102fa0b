import { Aws, type CfnElement, Duration, RemovalPolicy, Stack, Token, Validations } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import { FINDINGS_TABLE, LAYER_CACHE_TABLE, SCAN_ENV, SCANNER_EVENTS } from '../../core/contracts/scanning';
import type { AuditTrail } from '../audit-trail';
import { RotorFunction } from '../shared/rotor-function';
import type { ManagedFingerprints } from './managed-fingerprints';

/** Options of the sprawl scanner. */
export interface SprawlScannerProps {
  /** The audit trail that `scan.finding` records are appended to. */
  readonly audit: AuditTrail;
  /** Repository names to scan (push rule filter and ECR permissions). @default every repository of the account */
  readonly repositories?: readonly string[];
  /** Layers scanned at once per image (the Map's MaxConcurrency). @default 8 */
  readonly maxConcurrency?: number;
  /** Where `Rotor Managed Secret Leaked` and `Rotor Scan Failed` go. @default the account's default bus */
  readonly eventBus?: events.IEventBus;
  /** Encrypts the findings and layer cache tables. @default a new customer-managed key with rotation on */
  readonly encryptionKey?: kms.IKey;
  /** Rescan of the whole registry; `undefined` for the default, pass `rescan: false` to turn it off. @default weekly */
  readonly rescanSchedule?: events.Schedule;
  /** Whether to rescan the whole registry on `rescanSchedule`. @default true */
  readonly rescan?: boolean;
  /** Repositories (and images per repository) scanned at once by the rescan. @default 4 */
  readonly rescanConcurrency?: number;
  /** @default RemovalPolicy.RETAIN */
  readonly removalPolicy?: RemovalPolicy;
  /**
   * The managed-secret fingerprint store: with it, findings name the managed secret (and stage) whose value
   * leaked, and finding fingerprints use the deployment's key instead of the public default.
   * @default no managed-secret matching
   */
  readonly fingerprints?: ManagedFingerprints;
}

/** Lambda and SDK errors worth a retry with backoff: throttling, service hiccups, a registry that is down. */
const TRANSIENT_ERRORS = [
  'Lambda.TooManyRequestsException',
  'Lambda.ServiceException',
  'Lambda.AWSLambdaException',
  'Lambda.SdkClientException',
  'Lambda.ClientExecutionTimeoutException',
  'TransientError',
  'RegistryUnavailableError',
  'ChainContentionError',
  'ThrottlingException',
  'ProvisionedThroughputExceededException',
  'RequestLimitExceeded',
];

/**
 * The sprawl scanner in AWS: every successful push to ECR is scanned by a Standard state machine.
 *
 *   1. Resolve (Lambda): the pushed manifest or index -> platform images, configs, uncached layers
 *   2. ScanLayers (Map, MaxConcurrency) -> ScanLayer (Lambda): one layer streamed from ECR, result to the
 *      layer cache table (the result may exceed 256 KB: the Map returns references and counts only);
 *      a layer task that still fails after its retries -> LayerFailed (Pass): a problem of that layer
 *   3. Merge (Lambda): whiteouts merged per image, configs scanned, findings stored once, `scan.finding`
 *      audited, `Rotor Managed Secret Leaked` emitted for managed secrets
 *   Scanned (Succeed) | RecordFailure (`Rotor Scan Failed` event, error at `$.error`) -> ScanFailed (Fail)
 *
 * A second, scheduled workflow rescans the registry: a Distributed Map over the repositories starts the
 * scan workflow for each image (cached layers are skipped by Resolve, so a rescan reads only new layers,
 * or every layer once after the rules changed).
 *
 * @example
 *   const audit = new AuditTrail(this, 'Audit');
 *   new SprawlScanner(this, 'Scanner', { audit, repositories: ['shop/api'], maxConcurrency: 8 });
 */
export class SprawlScanner extends Construct {
  readonly stateMachine: sfn.StateMachine;
  readonly rescanStateMachine?: sfn.StateMachine;
  readonly pushRule: events.Rule;
  readonly findingsTable: dynamodb.Table;
  readonly layerCacheTable: dynamodb.Table;
  readonly encryptionKey: kms.IKey;
  readonly resolveFunction: RotorFunction;
  readonly scanLayerFunction: RotorFunction;
  readonly mergeFunction: RotorFunction;

  constructor(scope: Construct, id: string, props: SprawlScannerProps) {
    super(scope, id);
    const maxConcurrency = props.maxConcurrency ?? 8;
    if (!Number.isInteger(maxConcurrency) || maxConcurrency < 1 || maxConcurrency > 40) {
      throw new Error(
        `SprawlScanner: maxConcurrency must be an integer from 1 to 40 (got ${maxConcurrency})`,
      );
    }
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    const stack = Stack.of(this);
    const bus = props.eventBus ?? events.EventBus.fromEventBusName(this, 'DefaultBus', 'default');

    this.encryptionKey =
      props.encryptionKey ??
      new kms.Key(this, 'Key', {
        description: 'Rotor sprawl scanner: findings and layer cache',
        enableKeyRotation: true,
        removalPolicy: RemovalPolicy.RETAIN,
      });
    const tableDefaults = {
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      encryption: dynamodb.TableEncryption.CUSTOMER_MANAGED,
      encryptionKey: this.encryptionKey,
      removalPolicy,
    };
    this.layerCacheTable = new dynamodb.Table(this, 'LayerCache', {
      ...tableDefaults,
      partitionKey: { name: LAYER_CACHE_TABLE.partitionKey, type: dynamodb.AttributeType.STRING },
      sortKey: { name: LAYER_CACHE_TABLE.sortKey, type: dynamodb.AttributeType.STRING },
      timeToLiveAttribute: LAYER_CACHE_TABLE.ttlAttribute,
    });
    this.findingsTable = new dynamodb.Table(this, 'Findings', {
      ...tableDefaults,
      partitionKey: { name: FINDINGS_TABLE.partitionKey, type: dynamodb.AttributeType.STRING },
      sortKey: { name: FINDINGS_TABLE.sortKey, type: dynamodb.AttributeType.STRING },
      deletionProtection: true,
    });
    this.findingsTable.addGlobalSecondaryIndex({
      indexName: FINDINGS_TABLE.indexes.byImage,
      partitionKey: { name: FINDINGS_TABLE.imageAttribute, type: dynamodb.AttributeType.STRING },
      sortKey: { name: FINDINGS_TABLE.partitionKey, type: dynamodb.AttributeType.STRING },
      projectionType: dynamodb.ProjectionType.ALL,
    });

    const cacheEnv = {
      [SCAN_ENV.layerCacheTable]: this.layerCacheTable.tableName,
      ...props.fingerprints?.environment,
    };
    // Sizes: Resolve reads manifests only; ScanLayer streams one blob of up to gigabytes (CPU for
    // gunzip/zstd and the detector scales with memory, so 2 GB and Lambda's 15-minute maximum); Merge
    // holds one image's findings and reads its configs.
    this.resolveFunction = new RotorFunction(this, 'ResolveFunction', {
      name: 'scan-resolve',
      service: 'scan-resolve',
      description: 'Sprawl scanner step 1: resolves a pushed image into platforms and uncached layers',
      memorySize: 1024,
      timeout: Duration.minutes(5),
      environment: cacheEnv,
    });
    this.scanLayerFunction = new RotorFunction(this, 'ScanLayerFunction', {
      name: 'scan-layer',
      service: 'scan-layer',
      description: 'Sprawl scanner step 2: streams one layer blob from ECR and scans its files',
      memorySize: 2048,
      timeout: Duration.minutes(15),
      environment: cacheEnv,
    });
    this.mergeFunction = new RotorFunction(this, 'MergeFunction', {
      name: 'scan-merge',
      service: 'scan-merge',
      description: 'Sprawl scanner step 3: merges layer results, stores, audits and announces findings',
      memorySize: 1024,
      timeout: Duration.minutes(10),
      environment: {
        ...cacheEnv,
        [SCAN_ENV.findingsTable]: this.findingsTable.tableName,
        [SCAN_ENV.eventBusName]: bus.eventBusName,
        ...props.audit.environment,
      },
    });

    // Least privilege, per function.
    const repositoryArns = (props.repositories ?? ['*']).map((name) =>
      stack.formatArn({ service: 'ecr', resource: 'repository', resourceName: name }),
    );
    this.#allow(this.resolveFunction, ['ecr:BatchGetImage'], repositoryArns);
    this.#allow(this.scanLayerFunction, ['ecr:GetDownloadUrlForLayer'], repositoryArns);
    this.#allow(this.mergeFunction, ['ecr:GetDownloadUrlForLayer'], repositoryArns);
    for (const fn of [this.resolveFunction, this.scanLayerFunction, this.mergeFunction]) {
      this.#allow(fn, ['ecr:GetAuthorizationToken'], ['*']);
      Validations.of(fn.role).acknowledge({
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason:
          'ecr:GetAuthorizationToken supports no resource-level permissions (and X-Ray PutTraceSegments/PutTelemetryRecords, from tracing: ACTIVE, neither).',
      });
    }
    this.#allow(this.resolveFunction, ['dynamodb:GetItem'], [this.layerCacheTable.tableArn]);
    this.#allow(this.scanLayerFunction, ['dynamodb:PutItem'], [this.layerCacheTable.tableArn]);
    this.#allow(this.mergeFunction, ['dynamodb:GetItem'], [this.layerCacheTable.tableArn]);
    this.#allow(
      this.mergeFunction,
      ['dynamodb:PutItem', 'dynamodb:UpdateItem'],
      [this.findingsTable.tableArn],
    );
    this.encryptionKey.grant(this.resolveFunction.role, 'kms:Decrypt');
    this.encryptionKey.grant(this.scanLayerFunction.role, 'kms:Encrypt', 'kms:GenerateDataKey');
    this.encryptionKey.grant(this.mergeFunction.role, 'kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey');
    if (props.fingerprints) {
      // Resolve reads only the fingerprint set's version (part of the layer cache's version); the two
      // functions that run the detector read the records and the HMAC key.
      props.fingerprints.grantReadVersion(this.resolveFunction.role);
      props.fingerprints.grantRead(this.scanLayerFunction.role);
      props.fingerprints.grantRead(this.mergeFunction.role);
    }
    props.audit.grantAppend(this.mergeFunction.function);
    bus.grantPutEventsTo(this.mergeFunction.function);
    this.stateMachine = this.#scanWorkflow(maxConcurrency, bus);
    this.pushRule = new events.Rule(this, 'PushRule', {
      description: 'Rotor: scan every image pushed to ECR',
      eventPattern: {
        source: ['aws.ecr'],
        detailType: ['ECR Image Action'],
        detail: {
          'action-type': ['PUSH'],
          result: ['SUCCESS'],
          ...(props.repositories ? { 'repository-name': [...props.repositories] } : {}),
        },
      },
      targets: [new targets.SfnStateMachine(this.stateMachine)],
    });

    if (props.rescan ?? true) {
      this.rescanStateMachine = this.#rescanWorkflow(props, repositoryArns);
      new events.Rule(this, 'RescanSchedule', {
        description: 'Rotor: rescan the whole registry (only new layers, or all after a rules change)',
        schedule: props.rescanSchedule ?? events.Schedule.rate(Duration.days(7)),
        targets: [new targets.SfnStateMachine(this.rescanStateMachine)],
      });
    }
    if (!props.repositories) this.#acknowledgeAllRepositories();
  }

  /** Lets the grantee read the findings table and its index (a dashboard, the CLI, remediation). */
  grantReadFindings(grantee: iam.IGrantable): iam.Grant {
    return iam.Grant.addToPrincipal({
      grantee,
      actions: ['dynamodb:GetItem', 'dynamodb:Query'],
      resourceArns: [this.findingsTable.tableArn, `${this.findingsTable.tableArn}/index/*`],
    }).combine(this.encryptionKey.grant(grantee, 'kms:Decrypt'));
  }

  #allow(fn: RotorFunction, actions: string[], resources: string[]): void {
    fn.role.addToPrincipalPolicy(new iam.PolicyStatement({ actions, resources }));
  }

  /** `arn:<AWS::Partition>:<service>:<region>:<account>:<rest>` as cdk-nag prints it in finding ids. */
  #printedArn(service: string, rest: string): string {
    const stack = Stack.of(this);
    return [
      `arn:<AWS::Partition>:${service}`,
      Token.isUnresolved(stack.region) ? '<AWS::Region>' : stack.region,
      Token.isUnresolved(stack.account) ? '<AWS::AccountId>' : stack.account,
      rest,
    ].join(':');
  }

  #acknowledgeAllRepositories(): void {
    const printed = this.#printedArn('ecr', 'repository/*');
    if (this.rescanStateMachine) {
      Validations.of(this.rescanStateMachine).acknowledge({
        id: `AwsSolutions-IAM5[Resource::${printed}]`,
        reason:
          'The rescan lists every repository of the account by default (the repositories prop narrows it).',
      });
    }
    for (const fn of [this.resolveFunction, this.scanLayerFunction, this.mergeFunction]) {
      Validations.of(fn.role).acknowledge({
        id: `AwsSolutions-IAM5[Resource::${printed}]`,
        reason:
          'The scanner scans every repository of the account by default (the repositories prop narrows it); read-only image actions.',
      });
    }
  }

  #lambdaStep(id: string, fn: RotorFunction, extra: Partial<tasks.LambdaInvokeProps>): tasks.LambdaInvoke {
    const task = new tasks.LambdaInvoke(this, id, {
      lambdaFunction: fn.function,
      payloadResponseOnly: true,
      retryOnServiceExceptions: false,
      ...extra,
    });
    task.addRetry({
      errors: TRANSIENT_ERRORS,
      interval: Duration.seconds(2),
      maxAttempts: 6,
      backoffRate: 2,
      maxDelay: Duration.seconds(60),
      jitterStrategy: sfn.JitterType.FULL,
    });
    return task;
  }

  #scanWorkflow(maxConcurrency: number, bus: events.IEventBus): sfn.StateMachine {
    const recordFailure = new tasks.EventBridgePutEvents(this, 'RecordFailure', {
      entries: [
        {
          eventBus: bus,
          source: SCANNER_EVENTS.source,
          detailType: SCANNER_EVENTS.scanFailed,
          detail: sfn.TaskInput.fromObject({
            execution: sfn.JsonPath.executionId,
            error: sfn.JsonPath.objectAt('$.error'),
            // The execution's input is always there ($.resolve is not when Resolve failed).
            input: sfn.JsonPath.objectAt('$$.Execution.Input'),
          }),
        },
      ],
      resultPath: sfn.JsonPath.DISCARD,
    });
    recordFailure.addRetry({
      errors: ['EventBridge.EventBridgeException', 'States.TaskFailed'],
      maxAttempts: 3,
    });
    recordFailure.next(
      new sfn.Fail(this, 'ScanFailed', { error: 'ScanFailed', cause: 'see the Rotor Scan Failed event' }),
    );
    const onError = { resultPath: '$.error' };

    const resolve = this.#lambdaStep('Resolve', this.resolveFunction, { resultPath: '$.resolve' });
    resolve.addCatch(recordFailure, onError);
    const scanLayer = this.#lambdaStep('ScanLayer', this.scanLayerFunction, {});
    // A layer whose task fails after its retries is a problem of that layer, not of the image: the other
    // layers are still merged, stored and audited, and Merge reports this one.
    scanLayer.addCatch(
      new sfn.Pass(this, 'LayerFailed', {
        parameters: {
          'digest.$': '$.layer.digest',
          findings: 0,
          files: 0,
          error: {
            'error.$': '$.error.Error',
            message: 'the layer task failed after its retries (see the execution history)',
            'layerDigest.$': '$.layer.digest',
          },
        },
      }),
      { resultPath: '$.error' },
    );
    const map = new sfn.Map(this, 'ScanLayers', {
      itemsPath: '$.resolve.layers',
      maxConcurrency,
      itemSelector: {
        'registry.$': '$.resolve.registry',
        'repository.$': '$.resolve.repository',
        'rulesetVersion.$': '$.resolve.rulesetVersion',
        'layer.$': '$$.Map.Item.Value',
      },
      resultPath: '$.layers',
    });
    map.itemProcessor(scanLayer);
    map.addCatch(recordFailure, onError);
    const merge = this.#lambdaStep('Merge', this.mergeFunction, {
      payload: sfn.TaskInput.fromObject({
        resolve: sfn.JsonPath.objectAt('$.resolve'),
        layers: sfn.JsonPath.objectAt('$.layers'),
      }),
      resultPath: '$.merge',
    });
    merge.addCatch(recordFailure, onError);

    const definition = resolve.next(map).next(merge).next(new sfn.Succeed(this, 'Scanned'));
    return this.#stateMachine('ScanWorkflow', definition, 'Rotor sprawl scan of one pushed image');
  }

  #rescanWorkflow(props: SprawlScannerProps, repositoryArns: string[]): sfn.StateMachine {
    const concurrency = props.rescanConcurrency ?? 4;
    const registry = `${Aws.ACCOUNT_ID}.dkr.ecr.${Aws.REGION}.${Aws.URL_SUFFIX}`;
    const listRepositories = new tasks.CallAwsService(this, 'ListRepositories', {
      service: 'ecr',
      action: 'describeRepositories',
      // DescribeRepositories takes either RepositoryNames or MaxResults, not both.
      parameters: props.repositories ? { RepositoryNames: [...props.repositories] } : { MaxResults: 1000 },
      iamAction: 'ecr:DescribeRepositories',
      iamResources: repositoryArns,
      resultSelector: { 'names.$': '$.Repositories[*].RepositoryName' },
      resultPath: '$.repositories',
    });
    const listImages = new tasks.CallAwsService(this, 'ListImages', {
      service: 'ecr',
      action: 'listImages',
      parameters: { 'RepositoryName.$': '$.repository', MaxResults: 1000, Filter: { TagStatus: 'ANY' } },
      iamAction: 'ecr:ListImages',
      iamResources: repositoryArns,
      resultSelector: { 'digests.$': '$.ImageIds[*].ImageDigest' },
      resultPath: '$.images',
    });
    const scanImage = new tasks.StepFunctionsStartExecution(this, 'ScanImage', {
      stateMachine: this.stateMachine,
      integrationPattern: sfn.IntegrationPattern.RUN_JOB,
      input: sfn.TaskInput.fromObject({
        registry,
        'repository.$': '$.repository',
        'digest.$': '$.digest',
      }),
      associateWithParent: true,
      resultPath: sfn.JsonPath.DISCARD,
    });
    scanImage.addRetry({
      errors: ['StepFunctions.ExecutionLimitExceeded', 'States.Timeout'],
      maxAttempts: 3,
      backoffRate: 2,
    });
    const perImage = new sfn.Map(this, 'ScanImages', {
      itemsPath: '$.images.digests',
      maxConcurrency: concurrency,
      itemSelector: { 'repository.$': '$.repository', 'digest.$': '$$.Map.Item.Value' },
      resultPath: sfn.JsonPath.DISCARD,
    });
    // One image's failed scan is recorded by its own execution; the rescan goes on with the others.
    scanImage.addCatch(new sfn.Pass(this, 'ImageScanFailed'), { resultPath: '$.error' });
    perImage.itemProcessor(scanImage);
    const perRepository = new sfn.DistributedMap(this, 'ScanRepositories', {
      itemsPath: '$.repositories.names',
      maxConcurrency: concurrency,
      itemSelector: { 'repository.$': '$$.Map.Item.Value' },
      mapExecutionType: sfn.StateMachineType.STANDARD,
      toleratedFailurePercentage: 10,
      resultPath: sfn.JsonPath.DISCARD,
    });
    perRepository.itemProcessor(listImages.next(perImage));
    const definition = listRepositories.next(perRepository).next(new sfn.Succeed(this, 'Rescanned'));
    const machine = this.#stateMachine(
      'RescanWorkflow',
      definition,
      'Rotor scheduled rescan of the registry',
    );
    const executionsOf = (m: sfn.StateMachine, tail: string) => {
      const logicalId = Stack.of(this).getLogicalId(m.node.defaultChild as CfnElement);
      return this.#printedArn(
        'states',
        `execution:{"Fn::Select":[6,{"Fn::Split":[":",{"Ref":"${logicalId}"}]}]}${tail}`,
      );
    };
    const ack = (resource: string, reason: string) =>
      Validations.of(machine).acknowledge({ id: `AwsSolutions-IAM5[Resource::${resource}]`, reason });
    ack(
      executionsOf(this.stateMachine, '*'),
      'StartExecution.sync describes and stops the scan executions it starts, whose names are not known in advance.',
    );
    ack(
      executionsOf(machine, ':*'),
      'The Distributed Map runs child executions of this state machine, named at run time.',
    );
    ack(
      executionsOf(machine, '/*:*'),
      'The Distributed Map runs child executions of this state machine, named at run time.',
    );
    return machine;
  }

  #stateMachine(id: string, definition: sfn.IChainable, comment: string): sfn.StateMachine {
    const logGroup = new logs.LogGroup(this, `${id}Logs`, {
      retention: logs.RetentionDays.ONE_YEAR,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const machine = new sfn.StateMachine(this, id, {
      definitionBody: sfn.DefinitionBody.fromChainable(definition),
      stateMachineType: sfn.StateMachineType.STANDARD,
      comment,
      tracingEnabled: true,
      // Execution data stays out of the logs: inputs name images, never secrets, but keep logs lean.
      logs: { destination: logGroup, level: sfn.LogLevel.ALL, includeExecutionData: false },
    });
    const ack = (resource: string, reason: string) =>
      Validations.of(machine).acknowledge({ id: `AwsSolutions-IAM5[Resource::${resource}]`, reason });
    ack(
      '*',
      'X-Ray tracing and CloudWatch Logs delivery (tracingEnabled, logs) support no resource-level permissions.',
    );
    for (const fn of [this.resolveFunction, this.scanLayerFunction, this.mergeFunction]) {
      const logicalId = Stack.of(this).getLogicalId(fn.function.node.defaultChild as CfnElement);
      ack(
        `<${logicalId}.Arn>:*`,
        'Invoking the scan functions by any version or alias (CDK grants both forms).',
      );
    }
    return machine;
  }
}
