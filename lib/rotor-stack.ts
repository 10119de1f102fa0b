import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { AuditTrail } from './audit-trail';
import type { RotorConfig } from './config';
import { Monitoring } from './monitoring/monitoring';
import { Remediation } from './remediation/remediation';
import { RotationSweep } from './rotation/rotation-sweep';
import { RotationWorkflow } from './rotation/rotation-workflow';
import { ManagedFingerprints } from './scanning/managed-fingerprints';
import { SprawlScanner } from './scanning/scanner';
import { TaskDefinitionScan } from './scanning/task-definition-scan';

export interface RotorStackProps extends StackProps {
  readonly config: RotorConfig;
}

/**
 * Rotor in one stack: the audit trail, the rotation workflow and its daily sweep, the scanner's fingerprints of managed secrets,
 * the image and task definition scanners, remediation and monitoring. Secrets join with `ManagedSecret`
 * (`rotor: stack`).
 */
export class RotorStack extends Stack {
  readonly audit: AuditTrail;
  readonly fingerprints: ManagedFingerprints;
  readonly rotation: RotationWorkflow;
  readonly sweep: RotationSweep;
  readonly scanner: SprawlScanner;
  readonly taskDefinitions: TaskDefinitionScan;
  readonly remediation: Remediation;
  readonly monitoring: Monitoring;

  constructor(scope: Construct, id: string, props: RotorStackProps) {
    super(scope, id, props);
    this.audit = new AuditTrail(this, 'Audit', {
      retentionDays: props.config.auditRetentionDays,
      ingestCloudTrail: props.config.ingestCloudTrail,
    });
    this.fingerprints = new ManagedFingerprints(this, 'Fingerprints');
    this.rotation = new RotationWorkflow(this, 'Rotation', {
      audit: this.audit,
      fingerprintUpdater: this.fingerprints.updater.function,
    });
    this.sweep = new RotationSweep(this, 'Sweep', { audit: this.audit, workflow: this.rotation });
    this.scanner = new SprawlScanner(this, 'Scanner', { audit: this.audit, fingerprints: this.fingerprints });
    this.taskDefinitions = new TaskDefinitionScan(this, 'TaskDefinitionScan', {
      audit: this.audit,
      findingsTable: this.scanner.findingsTable,
      fingerprints: this.fingerprints,
    });
    this.remediation = new Remediation(this, 'Remediation', {
      workflow: this.rotation,
      encryptionKey: this.audit.encryptionKey,
    });
    this.monitoring = new Monitoring(this, 'Monitoring', {
      audit: this.audit,
      rotation: this.rotation,
      scanner: this.scanner,
      functions: {
        'update-fingerprints': this.fingerprints.updater.function,
        'scan-task-definition': this.taskDefinitions.function.function,
        'rotation-sweep': this.sweep.sweepFunction.function,
      },
    });
    // The CLI finds the table through this output when no --table is given.
    new CfnOutput(this, 'AuditTableName', {
      value: this.audit.table.tableName,
      description: 'The audit trail table',
    });
  }
}
