import type { AuditEvent } from '../../core/audit/event';

/** A rotation step event for a secret, with defaults a test can override. */
export function rotationStep(secret: string, overrides: Partial<AuditEvent> = {}): AuditEvent {
  return {
    type: 'rotation.step',
    subject: `SECRET#${secret}`,
    actor: 'rotor:rotation',
    outcome: 'success',
    versions: { from: 'v-old', to: 'v-new' },
    details: { step: 'setSecret', kind: 'postgres', strategy: 'single-user', durationMs: 12 },
    ...overrides,
  } as AuditEvent;
}
