import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { SCANNER_EVENTS } from '../../core/contracts/scanning';
import { TransientError } from '../../core/errors';
import type { LeakNotifier, SecretLeak } from '../../core/scanning/pipeline';

/** Emits `Rotor Managed Secret Leaked` (source `rotor.scanner`) on the bus, for remediation. */
export function eventBridgeLeakNotifier(client: EventBridgeClient, eventBusName: string): LeakNotifier {
  return {
    async secretLeaked(leak: SecretLeak): Promise<void> {
      const out = await client.send(
        new PutEventsCommand({
          Entries: [
            {
              EventBusName: eventBusName,
              Source: SCANNER_EVENTS.source,
              DetailType: SCANNER_EVENTS.secretLeaked,
              Resources: [],
              Detail: JSON.stringify(leak),
            },
          ],
        }),
      );
      if ((out.FailedEntryCount ?? 0) > 0) {
        throw new TransientError('PutEvents refused the leak event', {
          context: { secretId: leak.secretId, code: out.Entries?.[0]?.ErrorCode },
        });
      }
    },
  };
}
