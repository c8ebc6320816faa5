/** The relay's default logger: one JSON object per line, the format log shippers read without parsing rules. */
import type { Logger } from "../../index.js";

/**
 * A {@link Logger} that writes `{"time","level","msg",…data}` lines.
 *
 * @example
 * createJsonLogger((line) => process.stdout.write(line)).info("transaction", { id: "…" });
 */
export function createJsonLogger(
  write: (line: string) => void = (line) => process.stdout.write(line),
): Logger {
  const emit = (level: string) => (msg: string, data?: Record<string, unknown>) => {
    let line: string;
    try {
      line = JSON.stringify({ time: new Date().toISOString(), level, msg, ...data });
    } catch {
      line = JSON.stringify({ time: new Date().toISOString(), level, msg, note: "unserialisable log data" });
    }
    write(`${line}\n`);
  };
  return { debug: () => {}, info: emit("info"), warn: emit("warn"), error: emit("error") };
}
