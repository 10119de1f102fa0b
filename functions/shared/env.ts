import { z } from 'zod';

/** Reads the environment through a schema, once, at cold start; a missing or wrong variable fails loudly by name. */
export function readEnv<S extends z.ZodType>(schema: S, env: NodeJS.ProcessEnv = process.env): z.infer<S> {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const names = parsed.error.issues.map((issue) => issue.path.join('.')).join(', ');
    throw new Error(`invalid function environment: ${names}`);
  }
  return parsed.data;
}
