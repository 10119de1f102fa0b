/**
 * Cluster and service names from names or ARNs, so that a consumer declared as `{ cluster: 'prod',
 * service: 'api' }` and one discovered as ARNs are recognised as the same service.
 *   cluster: arn:aws:ecs:<region>:<account>:cluster/<name>
 *   service: arn:aws:ecs:<region>:<account>:service/<cluster>/<name> (or the older service/<name>)
 */

/** The cluster's name, from its name or ARN. */
export function clusterName(cluster: string): string {
  if (!cluster.startsWith('arn:')) return cluster;
  const resource = cluster.split(':').slice(5).join(':');
  return resource.startsWith('cluster/') ? resource.slice('cluster/'.length) : resource;
}

/** The service's name, from its name or ARN (either ARN format). */
export function serviceName(service: string): string {
  if (!service.startsWith('arn:')) return service;
  const resource = service.split(':').slice(5).join(':');
  const segments = resource.split('/');
  return segments[segments.length - 1] ?? resource;
}

/** The key that identifies a service across names and ARNs: `<cluster name>/<service name>`. */
export function serviceKey(cluster: string, service: string): string {
  return `${clusterName(cluster)}/${serviceName(service)}`;
}
