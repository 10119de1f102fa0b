import { TargetSyntaxError } from './errors';

/** An OCI image layout folder (`oci-layout`, `index.json`, `blobs/`), optionally one tag of it. */
export interface OciLayoutTarget {
  readonly kind: 'oci';
  readonly text: string;
  readonly dir: string;
  /** The `org.opencontainers.image.ref.name` to pick; every image of the index when omitted. */
  readonly tag?: string;
}

/** A `docker save` tar (the legacy layout or the OCI-in-docker-archive one). */
export interface DockerArchiveTarget {
  readonly kind: 'docker-archive';
  readonly text: string;
  readonly file: string;
}

/** A plain folder, walked without following symlinks. */
export interface DirectoryTarget {
  readonly kind: 'dir';
  readonly text: string;
  readonly path: string;
}

/** An image in an OCI distribution (v2) registry. */
export interface RegistryTarget {
  readonly kind: 'registry';
  readonly text: string;
  /** `host[:port]` as written (Docker Hub names map to `registry-1.docker.io`). */
  readonly registry: string;
  readonly repository: string;
  readonly tag?: string;
  readonly digest?: string;
  /** What to ask the registry for: the digest when given, else the tag (`latest` by default). */
  readonly reference: string;
}

/** Something `rotor scan` can scan, parsed from the text the user wrote. */
export type Target = OciLayoutTarget | DockerArchiveTarget | DirectoryTarget | RegistryTarget;

const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
const DIGEST = /^sha256:[a-f0-9]{64}$/;
const REPO_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const HOST =
  /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*|\[[0-9A-Fa-f:]+\])(?::[0-9]{1,5})?$/;

/**
 * Parses a target: `oci:<dir>[:tag]`, `docker-archive:<file>`, `dir:<path>`, or a registry reference
 * `host[:port]/repo[:tag]`, `host[:port]/repo@sha256:<hex>` (a `docker://` prefix is accepted).
 * A first component without `.` or `:` that is not `localhost` is a Docker Hub name (`alpine` is
 * `registry-1.docker.io/library/alpine:latest`).
 *
 * @throws TargetSyntaxError naming what is wrong.
 * @example parseTarget('127.0.0.1:5000/app@sha256:…') // { kind: 'registry', registry: '127.0.0.1:5000', … }
 */
export function parseTarget(text: string): Target {
  if (text.trim() !== text || text === '')
    throw new TargetSyntaxError('target is empty or has surrounding spaces');
  if (text.startsWith('oci:')) return parseOci(text);
  if (text.startsWith('docker-archive:')) {
    const file = text.slice('docker-archive:'.length);
    if (file === '') throw new TargetSyntaxError('docker-archive: needs a file path');
    return { kind: 'docker-archive', text, file };
  }
  if (text.startsWith('dir:')) {
    const path = text.slice('dir:'.length);
    if (path === '') throw new TargetSyntaxError('dir: needs a folder path');
    return { kind: 'dir', text, path };
  }
  return parseRegistryReference(text);
}

function parseOci(text: string): OciLayoutTarget {
  const rest = text.slice('oci:'.length);
  const colon = rest.lastIndexOf(':');
  if (colon > 0) {
    const tag = rest.slice(colon + 1);
    if (!tag.includes('/') && TAG.test(tag)) return { kind: 'oci', text, dir: rest.slice(0, colon), tag };
  }
  if (rest === '') throw new TargetSyntaxError('oci: needs a folder path');
  return { kind: 'oci', text, dir: rest };
}

function parseRegistryReference(text: string): RegistryTarget {
  let rest = text.startsWith('docker://') ? text.slice('docker://'.length) : text;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!DIGEST.test(digest))
      throw new TargetSyntaxError('the digest must be sha256: and 64 lowercase hex digits');
  }
  let tag: string | undefined;
  const lastSlash = rest.lastIndexOf('/');
  const lastColon = rest.lastIndexOf(':');
  if (lastColon > lastSlash) {
    tag = rest.slice(lastColon + 1);
    rest = rest.slice(0, lastColon);
    if (!TAG.test(tag)) throw new TargetSyntaxError('the tag has characters a tag cannot have');
  }
  const parts = rest.split('/');
  let registry: string;
  let repoParts: string[];
  const first = parts[0] ?? '';
  if (
    parts.length > 1 &&
    (first.includes('.') || first.includes(':') || first === 'localhost' || first.startsWith('['))
  ) {
    registry = first;
    repoParts = parts.slice(1);
    if (!HOST.test(registry)) throw new TargetSyntaxError('the registry host is not a valid host[:port]');
  } else {
    registry = 'registry-1.docker.io';
    repoParts = parts.length === 1 ? ['library', ...parts] : parts;
  }
  if (registry === 'docker.io' || registry === 'index.docker.io') {
    registry = 'registry-1.docker.io';
    if (repoParts.length === 1) repoParts = ['library', ...repoParts];
  }
  if (repoParts.length === 0 || !repoParts.every((p) => REPO_COMPONENT.test(p))) {
    throw new TargetSyntaxError(
      'not a target: expected oci:<dir>[:tag], docker-archive:<file>, dir:<path> or host[:port]/repo[:tag|@sha256:<hex>]',
    );
  }
  const repository = repoParts.join('/');
  const reference = digest ?? tag ?? 'latest';
  return {
    kind: 'registry',
    text,
    registry,
    repository,
    reference,
    ...(tag ? { tag } : {}),
    ...(digest ? { digest } : {}),
  };
}

/** Whether a registry host is a loopback address, where plain HTTP is allowed with `insecure`. */
export function isLoopbackRegistry(registry: string): boolean {
  const host = registry.startsWith('[')
    ? registry.slice(0, registry.indexOf(']') + 1)
    : registry.split(':')[0];
  return host === 'localhost' || host === '[::1]' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host ?? '');
}
