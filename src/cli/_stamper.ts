import { createStamper, type ResolvedConfig, type Stamper } from "../index.js";

/**
 * The stamper the CLI commands use for a config: the place where a directory provider named in the config
 * (e.g. `directory.graph`) is plugged in.
 */
export async function stamperFor(config: ResolvedConfig): Promise<Stamper> {
  return createStamper(config);
}
