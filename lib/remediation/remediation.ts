import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { SCANNER_EVENTS } from '../../core/contracts/scanning';
import type { RotationWorkflowInput } from '../../core/contracts/workflow';
import type { RotationWorkflow } from '../rotation/rotation-workflow';

export interface RemediationProps {
  readonly workflow: RotationWorkflow;
  /** The bus the scanner emits on. @default the account's default bus */
  readonly eventBus?: events.IEventBus;
  /** Encrypts the notification topic and the dead-letter queue. */
  readonly encryptionKey: kms.IKey;
  /** Unmanaged findings at these severities are notified. @default ['critical', 'high'] */
  readonly notifySeverities?: readonly string[];
}

/**
 * Answers the scanner: a leaked managed secret starts the rotation workflow at once with reason
 * `remediation` (the finding's fingerprint and the leaked stage ride along, so the audit trail links the
 * finding to the rotation and the previous credential is revoked without the grace period); a new
 * unmanaged finding is published to a topic with where it was found and how to bring it under Rotor.
 */
export class Remediation extends Construct {
  readonly leakRule: events.Rule;
  readonly unmanagedRule: events.Rule;
  /** Where unmanaged findings are announced (subscribe the security team). */
  readonly topic: sns.Topic;
  /** Starts of the workflow that failed every retry. */
  readonly deadLetterQueue: sqs.Queue;

  constructor(scope: Construct, id: string, props: RemediationProps) {
    super(scope, id);
    const bus = props.eventBus ?? events.EventBus.fromEventBusName(this, 'DefaultBus', 'default');
    this.deadLetterQueue = new sqs.Queue(this, 'DeadLetters', {
      encryption: sqs.QueueEncryption.KMS,
      encryptionMasterKey: props.encryptionKey,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(this.deadLetterQueue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason:
        'This queue is the dead-letter queue of the remediation rules’ targets; nothing consumes it but people.',
    });

    const input: Record<keyof RotationWorkflowInput, string> = {
      secretId: events.EventField.fromPath('$.detail.secretId'),
      reason: 'remediation',
      findingFingerprint: events.EventField.fromPath('$.detail.fingerprint'),
      leakedStage: events.EventField.fromPath('$.detail.stage'),
    };
    this.leakRule = new events.Rule(this, 'ManagedSecretLeaked', {
      eventBus: bus,
      description: 'Rotor: a managed secret was found in an image; rotate it now',
      eventPattern: { source: [SCANNER_EVENTS.source], detailType: [SCANNER_EVENTS.secretLeaked] },
      targets: [
        new targets.SfnStateMachine(props.workflow.stateMachine, {
          input: events.RuleTargetInput.fromObject(input),
          deadLetterQueue: this.deadLetterQueue,
          retryAttempts: 10,
          maxEventAge: Duration.hours(2),
        }),
      ],
    });

    this.topic = new sns.Topic(this, 'UnmanagedFindings', {
      masterKey: props.encryptionKey,
      enforceSSL: true,
      displayName: 'Rotor: secrets found that Rotor does not manage',
    });
    const field = (path: string) => events.EventField.fromPath(`$.detail.${path}`);
    this.unmanagedRule = new events.Rule(this, 'UnmanagedSecretFound', {
      eventBus: bus,
      description: 'Rotor: a secret Rotor does not manage was found in an image; tell people',
      eventPattern: {
        source: [SCANNER_EVENTS.source],
        detailType: [SCANNER_EVENTS.secretFound],
        detail: { severity: [...(props.notifySeverities ?? ['critical', 'high'])] },
      },
      targets: [
        new targets.SnsTopic(this.topic, {
          message: events.RuleTargetInput.fromText(
            [
              `Rotor found a ${field('severity')} secret (${field('ruleId')}) that it does not manage,`,
              `in ${field('registry')}/${field('repository')}@${field('imageDigest')} at ${field('location')}`,
              `(fingerprint ${field('fingerprint')}; deleted by a later layer: ${field('deleted')}; a deleted file is still in the image).`,
              'Treat it as leaked: rotate it by hand now and rebuild the image without it.',
              'Then bring it under Rotor: keep it in Secrets Manager, read it in ECS through `secrets` (valueFrom),',
              "and add `new ManagedSecret(this, '<Name>', { rotor, secret, kind })` so that Rotor rotates it and",
              'rotates it again at once if it leaks. See: rotor audit list --type scan.finding',
            ].join(' '),
          ),
          deadLetterQueue: this.deadLetterQueue,
          retryAttempts: 10,
        }),
      ],
    });
  }
}
