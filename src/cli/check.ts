import { resolve } from "node:path";
import { loadCliConfig } from "./_config.js";
import { CliError } from "./_io.js";
import type { CliIo, CliValues } from "./run.js";

/** `mailstamp check`: validates the config (templates parsed too); every problem on its own line, exit 1. */
export async function checkCommand(values: CliValues, args: string[], io: CliIo): Promise<number> {
  if (args.length > 0) throw new CliError("check takes no arguments", 2);
  const config = await loadCliConfig(values.config && resolve(io.cwd, values.config), io.cwd);
  const enabled = config.rules.filter((r) => r.enabled).length;
  io.stdout.write(
    `config ok: ${config.rules.length} rules (${enabled} enabled), ${Object.keys(config.templates).length} templates, ` +
      `${config.directory.users.length} directory users\n`,
  );
  return 0;
}
