import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { SCANNER_EVENTS } from '../../core/contracts/scanning';
import { TransientError } from '../../core/errors';
import type { FoundSecret, LeakNotifier, SecretLeak } from '../../core/scanning/pipeline';

/**
 * Emits the scanner's events (source `rotor.scanner`) on the bus: `Rotor Managed Secret Leaked` for
 * remediation, `Rotor Unmanaged Secret Found` for people. Identifiers and places only, never a value.
 */
export function eventBridgeLeakNotifier(client: EventBridgeClient, eventBusName: string): LeakNotifier {
  const put = async (detailType: string, detail: SecretLeak | FoundSecret): Promise<void> => {
    const out = await client.send(
      new PutEventsCommand({
        Entries: [
          {
            EventBusName: eventBusName,
            Source: SCANNER_EVENTS.source,
            DetailType: detailType,
            Resources: [],
            Detail: JSON.stringify(detail),
          },
        ],
      }),
    );
    if ((out.FailedEntryCount ?? 0) > 0) {
      throw new TransientError(`PutEvents refused the event ${detailType}`, {
        context: { fingerprint: detail.fingerprint, code: out.Entries?.[0]?.ErrorCode },
      });
    }
  };
  return {
    secretLeaked: (leak) => put(SCANNER_EVENTS.secretLeaked, leak),
    secretFound: (found) => put(SCANNER_EVENTS.secretFound, found),
  };
}
