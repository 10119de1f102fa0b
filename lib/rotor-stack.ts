import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { AuditTrail } from './audit-trail';
import { RotationWorkflow } from './rotation/rotation-workflow';
import { SprawlScanner } from './scanning/scanner';
import { Remediation } from './remediation/remediation';
import type { RotorConfig } from './config';

export interface RotorStackProps extends StackProps {
  readonly config: RotorConfig;
}

/** Rotor in one stack: the audit trail, the rotation workflow, the scanner and remediation. */
export class RotorStack extends Stack {
  readonly audit: AuditTrail;
  readonly rotation: RotationWorkflow;
  readonly scanner: SprawlScanner;
  readonly remediation: Remediation;

  constructor(scope: Construct, id: string, props: RotorStackProps) {
    super(scope, id, props);
    this.audit = new AuditTrail(this, 'Audit', {
      retentionDays: props.config.auditRetentionDays,
      ingestCloudTrail: props.config.ingestCloudTrail,
    });
    this.rotation = new RotationWorkflow(this, 'Rotation', { audit: this.audit });
    this.scanner = new SprawlScanner(this, 'Scanner', { audit: this.audit });
    this.remediation = new Remediation(this, 'Remediation', {
      workflow: this.rotation,
      encryptionKey: this.audit.encryptionKey,
    });
    // The CLI finds the table through this output when no --table is given.
    new CfnOutput(this, 'AuditTableName', {
      value: this.audit.table.tableName,
      description: 'The audit trail table',
    });
  }
}
