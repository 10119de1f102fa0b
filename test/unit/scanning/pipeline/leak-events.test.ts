import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { mockClient } from 'aws-sdk-client-mock';
import { TransientError } from '../../../../core/errors';
import type { SecretLeak } from '../../../../core/scanning/pipeline';
import { eventBridgeLeakNotifier } from '../../../../functions/scan-merge/leak-events';

const leak: SecretLeak = {
  secretId: 'prod/orders-db',
  stage: 'AWSCURRENT',
  fingerprint: 'f'.repeat(64),
  ruleId: 'database-url-password',
  severity: 'critical',
  registry: '123456789012.dkr.ecr.eu-west-1.amazonaws.com',
  repository: 'shop/api',
  targetDigest: `sha256:${'a'.repeat(64)}`,
  imageDigest: `sha256:${'b'.repeat(64)}`,
  location: 'etc/app.env:1:14',
  deleted: true,
};

describe('eventBridgeLeakNotifier', () => {
  const eventBridge = mockClient(EventBridgeClient);
  afterEach(() => eventBridge.reset());

  it('puts one Rotor Managed Secret Leaked event from rotor.scanner on the bus', async () => {
    eventBridge.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'e1' }] });
    await eventBridgeLeakNotifier(new EventBridgeClient({}), 'rotor-bus').secretLeaked(leak);
    const [call] = eventBridge.commandCalls(PutEventsCommand);
    expect(call!.args[0].input.Entries).toEqual([
      {
        EventBusName: 'rotor-bus',
        Source: 'rotor.scanner',
        DetailType: 'Rotor Managed Secret Leaked',
        Resources: [],
        Detail: JSON.stringify(leak),
      },
    ]);
  });

  it('puts a Rotor Unmanaged Secret Found event for a secret Rotor does not manage', async () => {
    eventBridge.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'e2' }] });
    const { secretId: _secretId, stage: _stage, ...found } = leak;
    await eventBridgeLeakNotifier(new EventBridgeClient({}), 'rotor-bus').secretFound!(found);
    const [call] = eventBridge.commandCalls(PutEventsCommand);
    expect(call!.args[0].input.Entries).toEqual([
      expect.objectContaining({ DetailType: 'Rotor Unmanaged Secret Found', Detail: JSON.stringify(found) }),
    ]);
  });

  it('throws a retryable TransientError when EventBridge refuses the entry', async () => {
    eventBridge
      .on(PutEventsCommand)
      .resolves({ FailedEntryCount: 1, Entries: [{ ErrorCode: 'ThrottlingException' }] });
    await expect(
      eventBridgeLeakNotifier(new EventBridgeClient({}), 'rotor-bus').secretLeaked(leak),
    ).rejects.toBeInstanceOf(TransientError);
  });
});
