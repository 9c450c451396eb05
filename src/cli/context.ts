import type { Command } from 'commander';
import { loadConfig, type Config } from '../config/index.js';

/** The resolved configuration for a command: the global --config file plus REGATE_* overrides. */
export function configOf(cmd: Command, overrides: Record<string, unknown> = {}): Config {
  const root = rootOf(cmd);
  const file = root.opts().config as string | undefined;
  return loadConfig({ file, overrides });
}

export function rootOf(cmd: Command): Command {
  let c = cmd;
  while (c.parent) c = c.parent;
  return c;
}

/**
 * Whether the administrator said where the configuration is: a --config file, or the REGATE_* variable of the
 * setting that matters here (e.g. REGATE_ONEC_URL; service units may set variables instead of a file). Without
 * either, the setting is its default — for onec.url, the demo emulator's address.
 */
export function configGiven(cmd: Command, variables: string[], env: NodeJS.ProcessEnv = process.env): boolean {
  if (rootOf(cmd).opts().config) return true;
  return variables.some((k) => !!env[k]);
}
