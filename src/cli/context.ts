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
