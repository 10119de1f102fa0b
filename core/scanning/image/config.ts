import type { Detector, FileLocation, Finding } from '../types';
import { ConfigError } from './errors';

/**
 * The texts of an image config that may hold a secret, each with the location path that names its field:
 * `config:Env[3]`, `config:Labels[com.example.token]`, `config:Entrypoint[0]`, `config:Cmd[1]`,
 * `config:history[5].created_by`.
 */
export function configTexts(json: unknown): { readonly path: string; readonly text: string }[] {
  if (typeof json !== 'object' || json === null || Array.isArray(json))
    throw new ConfigError('the image config is not a JSON object');
  const root = json as { config?: unknown; history?: unknown };
  const out: { path: string; text: string }[] = [];
  const config = isObject(root.config) ? root.config : {};
  for (const field of ['Env', 'Entrypoint', 'Cmd'] as const) {
    const value = config[field];
    if (Array.isArray(value)) {
      value.forEach((item, i) => {
        if (typeof item === 'string') out.push({ path: `config:${field}[${i}]`, text: item });
      });
    }
  }
  if (isObject(config.Labels)) {
    for (const [key, value] of Object.entries(config.Labels)) {
      // The key is part of the text: `API_TOKEN=...` style labels put the hint in the key.
      if (typeof value === 'string') out.push({ path: `config:Labels[${key}]`, text: `${key}=${value}` });
    }
  }
  if (Array.isArray(root.history)) {
    root.history.forEach((entry, i) => {
      if (isObject(entry) && typeof entry.created_by === 'string') {
        out.push({ path: `config:history[${i}].created_by`, text: entry.created_by });
      }
    });
  }
  return out;
}

/** Parses config bytes and runs the detector over each text field. @throws ConfigError */
export function scanConfig(
  bytes: Uint8Array,
  detector: Detector,
  base: Omit<FileLocation, 'path'>,
  what: string,
): Finding[] {
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(bytes).toString('utf8'));
  } catch (cause) {
    throw new ConfigError(`${what} is not JSON`, { cause });
  }
  return configTexts(json).flatMap(({ path, text }) => detector.scanText(text, { ...base, path }));
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
