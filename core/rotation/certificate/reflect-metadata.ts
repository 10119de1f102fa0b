/**
 * @peculiar/x509 resolves its algorithms through tsyringe, which refuses to load unless `Reflect.getMetadata`
 * exists (the `reflect-metadata` package, which is not installed here). This is the small part of that API
 * tsyringe uses (get/getOwn/define), kept in a WeakMap. It installs nothing when a real polyfill is present.
 * Import it before @peculiar/x509, which `./x509.ts` does.
 */
type Target = object;
const store = new WeakMap<Target, Map<string | symbol | undefined, Map<unknown, unknown>>>();

function table(
  target: Target,
  property: string | symbol | undefined,
  create: boolean,
): Map<unknown, unknown> | undefined {
  let byProperty = store.get(target);
  if (!byProperty && create) store.set(target, (byProperty = new Map()));
  let entries = byProperty?.get(property);
  if (!entries && create && byProperty) byProperty.set(property, (entries = new Map()));
  return entries;
}

const reflect = Reflect as unknown as Record<string, unknown>;
if (typeof reflect.getMetadata !== 'function') {
  const getOwnMetadata = (key: unknown, target: Target, property?: string | symbol) =>
    table(target, property, false)?.get(key);
  const getMetadata = (key: unknown, target: Target, property?: string | symbol): unknown => {
    for (
      let current: Target | null = target;
      current;
      current = Object.getPrototypeOf(current) as Target | null
    ) {
      const entries = table(current, property, false);
      if (entries?.has(key)) return entries.get(key);
    }
    return undefined;
  };
  const defineMetadata = (key: unknown, value: unknown, target: Target, property?: string | symbol): void => {
    table(target, property, true)!.set(key, value);
  };
  Object.assign(Reflect, {
    getOwnMetadata,
    getMetadata,
    defineMetadata,
    metadata: (key: unknown, value: unknown) => (target: Target, property?: string | symbol) =>
      defineMetadata(key, value, target, property),
  });
}

export {};
