import { invalidNextToken } from './errors';

/** Offset pagination with an opaque token; a token that does not decode is `InvalidNextTokenException`. */
export function paginate<T>(
  items: readonly T[],
  maxResults: number | undefined,
  nextToken: string | undefined,
): { items: T[]; nextToken?: string } {
  let start = 0;
  if (nextToken !== undefined) {
    const match = /^page:(\d+)$/.exec(Buffer.from(nextToken, 'base64').toString('utf8'));
    if (!match) throw invalidNextToken();
    start = Number(match[1]);
  }
  const size = maxResults ?? 100;
  const page = items.slice(start, start + size);
  const more = start + size < items.length;
  return {
    items: page,
    nextToken: more ? Buffer.from(`page:${start + size}`).toString('base64') : undefined,
  };
}
