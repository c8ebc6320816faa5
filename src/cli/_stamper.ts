import { createGraphDirectory, graphDirectoryOptionsFromConfig } from "../adapters/graph/index.js";
import {
  createStamper,
  createStaticDirectory,
  type Directory,
  type ResolvedConfig,
  type Stamper,
} from "../index.js";

/**
 * The directory a config names beyond its static users: with `directory.graph`, senders come from Entra ID;
 * static `directory.users` still answer first, so an admin can add a service mailbox or override one person
 * without touching Entra ID. Undefined when the static users are all there is.
 */
export function directoryFor(config: ResolvedConfig): Directory | undefined {
  const graph = config.directory.graph;
  if (!graph) return undefined;
  const remote = createGraphDirectory(graphDirectoryOptionsFromConfig(graph));
  const local = createStaticDirectory(config.directory.users);
  return {
    lookup: async (address) => (await local.lookup(address)) ?? remote.lookup(address),
  };
}

/** The stamper the CLI commands use for a config, with the directory provider the config names. */
export async function stamperFor(config: ResolvedConfig): Promise<Stamper> {
  const directory = directoryFor(config);
  return createStamper(config, directory ? { directory } : {});
}
