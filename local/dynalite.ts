import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';

// dynalite ships no types: it is a function returning an http.Server.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const dynalite = require('dynalite') as (options: Record<string, unknown>) => Server;

/** A DynamoDB stand-in (dynalite) listening on loopback, kept in memory. */
export interface LocalDynamoDb {
  readonly endpoint: string;
  /** A client pointed at it, with dummy credentials. */
  client(): DynamoDBClient;
  close(): Promise<void>;
}

/**
 * Starts dynalite in this process on 127.0.0.1 (a free port unless one is given). Table creation is
 * instant, as tests and `rotor local` want. What dynalite lacks (TransactWriteItems, TTL, Streams) Rotor
 * does not use at run time.
 */
export async function startDynalite(port = 0): Promise<LocalDynamoDb> {
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const clients: DynamoDBClient[] = [];
  return {
    endpoint,
    client: () => {
      const client = new DynamoDBClient({
        endpoint,
        region: 'us-east-1',
        credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
        maxAttempts: 5,
      });
      clients.push(client);
      return client;
    },
    close: async () => {
      for (const client of clients) client.destroy();
      await new Promise<void>((resolve) => {
        (server as Server & { closeAllConnections?: () => void }).closeAllConnections?.();
        server.close(() => resolve());
      });
    },
  };
}
