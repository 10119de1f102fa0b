import { startAwsJsonServer, type RunningServer } from './aws-json-server';

/** An event as PutEvents received it. */
export interface ReceivedEvent {
  readonly Source?: string;
  readonly DetailType?: string;
  readonly Detail?: string;
  readonly EventBusName?: string;
}

/**
 * An EventBridge stand-in for PutEvents only (AWS JSON 1.1, target `AWSEvents`): it records what Rotor
 * emits (leak events, scan failures) so a local run can show it. No rules, no targets.
 */
export async function startEventBusStandIn(): Promise<RunningServer & { readonly events: ReceivedEvent[] }> {
  const events: ReceivedEvent[] = [];
  const server = await startAwsJsonServer({
    targetPrefix: 'AWSEvents',
    operations: {
      PutEvents: (input) => {
        const entries = (input.Entries as ReceivedEvent[] | undefined) ?? [];
        events.push(...entries);
        return { FailedEntryCount: 0, Entries: entries.map(() => ({ EventId: crypto.randomUUID() })) };
      },
    },
  });
  return Object.assign(server, { events });
}
