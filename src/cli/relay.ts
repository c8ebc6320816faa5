import { dirname, resolve } from "node:path";
import { createRelay, createJsonLogger, relayOptionsFromConfig } from "../adapters/smtp/index.js";
import { findConfigFile } from "../index.js";
import { loadCliConfig, toCliError } from "./_config.js";
import { CliError } from "./_io.js";
import { directoryFor } from "./_stamper.js";
import type { CliIo, CliValues } from "./run.js";

/** Stamp worker threads when the config's `relay.stampWorkers` is left out. */
const DEFAULT_STAMP_WORKERS = 1;

/**
 * `mailstamp relay`: runs the SMTP relay from the config's `relay:` section until SIGTERM or SIGINT, then
 * drains (transactions in flight finish within `limits.closeTimeoutMs`) and exits 0. Log events go to
 * standard output as JSON lines.
 */
export async function relayCommand(values: CliValues, args: string[], io: CliIo): Promise<number> {
  if (args.length > 0)
    throw new CliError("relay takes no arguments (the settings are the config's relay: section)", 2);
  const file = values.config ? resolve(io.cwd, values.config) : findConfigFile(io.cwd);
  const config = await loadCliConfig(file, io.cwd);
  let relay;
  try {
    const options = relayOptionsFromConfig(config, { baseDir: file ? dirname(file) : io.cwd });
    // Left out, relay.stampWorkers is 1 here: SMTP handling never waits for a stamp, and a stamp stuck past
    // stampTimeoutMs is stopped. A Graph directory stays in this thread; the workers ask it.
    const stampWorkers =
      config.relay?.stampWorkers !== undefined ? (options.stampWorkers ?? 0) : DEFAULT_STAMP_WORKERS;
    const directory = directoryFor(config);
    relay = createRelay({
      ...options,
      stampWorkers,
      stamperConfig: config,
      ...(directory ? { directory } : {}),
      logger: createJsonLogger((line) => io.stdout.write(line)),
    });
  } catch (err) {
    throw toCliError(err);
  }
  try {
    await relay.listen();
  } catch (err) {
    throw new CliError(`cannot listen: ${(err as Error).message}`, 1);
  }
  await new Promise<void>((resolveStop) => {
    const stop = (): void => {
      process.off("SIGTERM", stop);
      process.off("SIGINT", stop);
      resolveStop();
    };
    process.on("SIGTERM", stop);
    process.on("SIGINT", stop);
  });
  await relay.close();
  return 0;
}
