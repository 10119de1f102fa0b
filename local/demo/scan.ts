import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { ScanCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDbAuditStore } from '../../adapters/dynamodb-audit-store';
import { verifyChain } from '../../core/audit/verify';
import { ImageStore } from '../image-builder';
import type { LocalHandler } from '../lambda-runner';
import type { RunningRegistry } from '../registry';
import { pushImage } from '../registry';
import type { Reporter } from '../reporter';
import { runStateMachine, type stateMachineDefinition } from '../state-machine';

const REPOSITORY = 'shop/web';

/**
 * The scanner's part of `rotor local`: an image with secrets baked in (generated here: a database URL
 * with a random password in a file that a later layer deletes, and an SSH private key) is pushed to a local
 * registry, and the synthesized scan workflow runs on the push event as it would for ECR, with the bundled
 * scan functions. Then: the findings as stored (censored), and the image's audit chain.
 */
export async function scanDemo(options: {
  reporter: Reporter;
  registry: RunningRegistry | undefined;
  registryProblem?: string;
  workflow: {
    definition: ReturnType<typeof stateMachineDefinition>;
    lambdas: ReadonlyMap<string, LocalHandler>;
  };
  client: DynamoDBClient;
  findingsTable: string;
  audit: DynamoDbAuditStore;
  account: string;
  region: string;
  /** More files to bake into the image (the demo's managed API key, to show remediation). */
  plant?: ReadonlyArray<{ path: string; content: string }>;
}): Promise<void> {
  const { reporter, registry } = options;
  if (!registry) {
    reporter.skip(
      'scanned a pushed image for leaked secrets',
      `${options.registryProblem}; run scripts/install-system-packages.sh`,
    );
    return;
  }
  const password = randomBytes(12).toString('base64url');
  const { data: digest } = await reporter.step(
    `pushed ${REPOSITORY}:1.0 to a local registry, with secrets baked in`,
    async () => {
      const store = new ImageStore();
      const key = generateKeyPairSync('ec', { namedCurve: 'P-256' })
        .privateKey.export({ type: 'pkcs8', format: 'pem' })
        .toString();
      const app = await store.layer([
        { path: 'app/', type: 'directory' },
        {
          path: 'app/server.js',
          content: "require('http').createServer((q, s) => s.end('ok')).listen(8080);\n",
        },
        { path: 'app/.env', content: `DATABASE_URL=postgres://shop:${password}@db.internal:5432/shop\n` },
        { path: 'root/.ssh/id_ecdsa', content: key },
        ...(options.plant ?? []),
      ]);
      // The "fix" a developer ships: delete the file in a later layer. The secret is still in the image.
      const fix = await store.layer([{ path: 'app/.wh..env', content: '' }], 'zstd');
      const manifest = store.manifest(store.config([app, fix], { Env: ['NODE_ENV=production'] }), [app, fix]);
      await pushImage(registry.url, REPOSITORY, '1.0', store, manifest);
      return {
        detail: `${manifest.digest.slice(0, 19)}…: 2 layers, the second deletes app/.env`,
        data: manifest.digest,
      };
    },
  );

  await reporter.step(
    'scanned it: the ECR push event ran the scan workflow (resolve, layers in a Map, merge)',
    async () => {
      const events: unknown[] = [];
      const execution = await runStateMachine(
        options.workflow.definition,
        {
          version: '0',
          id: crypto.randomUUID(),
          source: 'aws.ecr',
          'detail-type': 'ECR Image Action',
          account: options.account,
          region: options.region,
          time: new Date().toISOString(),
          resources: [],
          detail: {
            'action-type': 'PUSH',
            result: 'SUCCESS',
            'repository-name': REPOSITORY,
            'image-digest': digest,
            'image-tag': '1.0',
          },
        },
        { lambdas: options.workflow.lambdas, putEvents: (entries) => events.push(...entries) },
        {
          executionId: `arn:aws:states:${options.region}:${options.account}:execution:scan:local-${Date.now()}`,
        },
      );
      if (execution.status !== 'SUCCEEDED')
        throw new Error(`${execution.error?.name}: ${execution.error?.message}`);
      const stored = (
        (await options.client.send(new ScanCommand({ TableName: options.findingsTable }))).Items ?? []
      ).map((i) => unmarshall(i));
      if (JSON.stringify(stored).includes(password)) throw new Error('a finding holds the secret itself');
      const block = stored
        .map(
          (f) =>
            `${String(f.severity).toUpperCase().padEnd(9)}${String(f.ruleId).padEnd(28)}${f.path}${f.deletedBy ? '  (deleted by a later layer: still in the image)' : ''}  ${f.excerpt ?? ''}`,
        )
        .join('\n');
      return {
        detail: `${stored.length} findings stored, censored; states: ${execution.states.join(' -> ')}`,
        block,
      };
    },
  );

  await reporter.step(`verified the audit chain of IMAGE#${REPOSITORY}`, async () => {
    const report = await verifyChain(`IMAGE#${REPOSITORY}`, options.audit.chain(`IMAGE#${REPOSITORY}`));
    if (report.broken) throw new Error(report.broken.message);
    return { detail: `${report.records} scan.finding records, intact` };
  });
}
