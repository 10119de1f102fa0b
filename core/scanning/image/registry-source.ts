import { BlobTooLargeError } from './errors';
import { MANIFEST_ACCEPT } from './manifest';
import type { BlobSource, ManifestBytes, RegistryClient } from './ports';
import { readAll } from './streams';

/**
 * A BlobSource over a v2 registry repository: the root is the manifest the reference names (tag or
 * digest), fetched with the OCI and Docker Accept list; blobs come from `/v2/<repo>/blobs/<digest>`.
 */
export function registryBlobSource(
  client: RegistryClient,
  repository: string,
  reference: string,
): BlobSource {
  return {
    root: () => client.getManifest(repository, reference, MANIFEST_ACCEPT),
    manifest: (digest: string): Promise<ManifestBytes> =>
      client.getManifest(repository, digest, MANIFEST_ACCEPT),
    readBlob: async (digest: string, maxBytes: number) =>
      readAll(
        await client.getBlob(repository, digest),
        maxBytes,
        () =>
          new BlobTooLargeError(`blob ${digest} is larger than the ${maxBytes} bytes allowed for it`, {
            context: { digest },
          }),
      ),
    openBlob: (digest: string) => client.getBlob(repository, digest),
  };
}
