import type { ECRClient } from '@aws-sdk/client-ecr';
import type { OpenedSource } from '../../core/scanning/image/scan';
import { registryBlobSource } from '../../core/scanning/image/registry-source';
import type { Target } from '../../core/scanning/image/target';
import { directorySource } from './directory';
import { dockerArchiveSource } from './docker-archive';
import { ecrCredentialProvider, parseEcrRegistry } from './ecr-auth';
import { HttpRegistryClient, type HttpRegistryOptions } from './http-registry';
import { ociLayoutSource } from './oci-layout';

/** How to open a registry target (ignored for local targets). */
export interface OpenTargetOptions extends Omit<HttpRegistryOptions, 'registry'> {
  /**
   * For an ECR registry (`<account>.dkr.ecr.<region>.amazonaws.com`) when no `credentials` are given:
   * makes the ECR client for its region, and the login comes from GetAuthorizationToken for its account.
   */
  readonly ecrClient?: (region: string) => ECRClient;
}

/**
 * Opens a parsed target for `scanTarget`: an OCI layout folder, a `docker save` tar, a plain folder, or a
 * registry repository over HTTP (with `insecure` allowing plain HTTP to a loopback registry, and
 * `credentials` for Basic/Bearer auth, or `ecrClient` for ECR).
 *
 * @example const result = await scanTarget(target, { detector, source: await openTarget(target, { insecure: true }) });
 */
export async function openTarget(target: Target, options: OpenTargetOptions = {}): Promise<OpenedSource> {
  switch (target.kind) {
    case 'oci':
      return { kind: 'image', blobs: await ociLayoutSource(target.dir, target.tag) };
    case 'docker-archive':
      return { kind: 'image', blobs: await dockerArchiveSource(target.file) };
    case 'dir':
      return { kind: 'tree', tree: directorySource(target.path) };
    case 'registry': {
      const { ecrClient, ...http } = options;
      const ecr = parseEcrRegistry(target.registry);
      const credentials =
        http.credentials ??
        (ecr && ecrClient
          ? ecrCredentialProvider(ecrClient(ecr.region), { registryId: ecr.accountId })
          : undefined);
      const client = new HttpRegistryClient({
        ...http,
        registry: target.registry,
        ...(credentials ? { credentials } : {}),
      });
      return { kind: 'image', blobs: registryBlobSource(client, target.repository, target.reference) };
    }
  }
}
