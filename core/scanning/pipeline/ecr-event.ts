import type { ScanRequest } from '../../contracts/scanning';
import { InvalidScanRequestError } from './errors';

const DIGEST = /^sha256:[a-f0-9]{64}$/;
const REPOSITORY = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$/;

/**
 * The scan request an EventBridge `ECR Image Action` event (PUSH, SUCCESS) names: the registry host from
 * the event's account and region, the repository and the pushed digest. Also accepts a ScanRequest as it is
 * (the scheduled rescan starts the workflow with one).
 *
 * @throws InvalidScanRequestError naming the field that is missing or malformed.
 */
export function scanRequestOf(event: unknown): ScanRequest {
  const e = (event ?? {}) as Record<string, unknown>;
  if (typeof e.registry === 'string') {
    return checked({
      registry: e.registry,
      repository: String(e.repository ?? ''),
      digest: String(e.digest ?? ''),
      ...(typeof e.tag === 'string' ? { tag: e.tag } : {}),
    });
  }
  const detail = (e.detail ?? {}) as Record<string, unknown>;
  if (e.source !== 'aws.ecr' || detail['action-type'] !== 'PUSH' || detail.result !== 'SUCCESS') {
    throw new InvalidScanRequestError('the event is not a successful ECR push');
  }
  const account = String(e.account ?? '');
  const region = String(e.region ?? '');
  if (!/^\d{12}$/.test(account) || !/^[a-z0-9-]+$/.test(region)) {
    throw new InvalidScanRequestError('the event has no valid account or region');
  }
  const suffix = region.startsWith('cn-') ? 'amazonaws.com.cn' : 'amazonaws.com';
  const tag = detail['image-tag'];
  return checked({
    registry: `${account}.dkr.ecr.${region}.${suffix}`,
    repository: String(detail['repository-name'] ?? ''),
    digest: String(detail['image-digest'] ?? ''),
    ...(typeof tag === 'string' && tag !== '' ? { tag } : {}),
  });
}

function checked(request: ScanRequest): ScanRequest {
  if (!REPOSITORY.test(request.repository))
    throw new InvalidScanRequestError('repository is missing or malformed');
  if (!DIGEST.test(request.digest))
    throw new InvalidScanRequestError('digest must be sha256:<64 hex>', {
      context: { repository: request.repository },
    });
  return request;
}

/** How a target is named in findings: `registry/repository@digest`. */
export function targetText(request: ScanRequest): string {
  return `${request.registry}/${request.repository}@${request.digest}`;
}
