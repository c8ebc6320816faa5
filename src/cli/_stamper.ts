import { createGraphDirectory, graphDirectoryOptionsFromConfig } from "../adapters/graph/index.js";
import {
  createStamper,
  createStaticDirectory,
  type Directory,
  type ResolvedConfig,
  type Stamper,
} from "../index.js";

/**
 * The stamper the CLI commands use for a config: the place where a directory provider named in the config is
 * plugged in. With `directory.graph`, senders come from Entra ID; static `directory.users` still answer first,
 * so an admin can add a service mailbox or override one person without touching Entra ID.
 */
export async function stamperFor(config: ResolvedConfig): Promise<Stamper> {
  const graph = config.directory.graph;
  if (!graph) return createStamper(config);
  const remote = createGraphDirectory(graphDirectoryOptionsFromConfig(graph));
  const local = createStaticDirectory(config.directory.users);
  const directory: Directory = {
    lookup: async (address) => (await local.lookup(address)) ?? remote.lookup(address),
  };
  return createStamper(config, { directory });
}
