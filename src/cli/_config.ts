import { ConfigError, findConfigFile, isMailstampError, loadConfig, type ResolvedConfig } from "../index.js";
import { CliError } from "./_io.js";

/** Loads `-c CONFIG`, or mailstamp.config.{yaml,yml,json} in the working directory. */
export async function loadCliConfig(path: string | undefined, cwd: string): Promise<ResolvedConfig> {
  const file = path ?? findConfigFile(cwd);
  if (!file) {
    throw new CliError(`no config: pass -c CONFIG or create mailstamp.config.yaml in ${cwd}`, 1);
  }
  try {
    return await loadConfig(file);
  } catch (err) {
    throw toCliError(err);
  }
}

/** One readable line per problem: the config issues, or the error's message. */
export function toCliError(err: unknown): CliError {
  if (err instanceof CliError) return err;
  if (err instanceof ConfigError) {
    return new CliError(
      err.issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join("\n"),
      1,
    );
  }
  if (isMailstampError(err)) return new CliError(err.message.replace(/^\[mailstamp\] /, ""), 1);
  throw err;
}
