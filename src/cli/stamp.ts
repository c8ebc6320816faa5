import { resolve } from "node:path";
import type { StampResult } from "../index.js";
import { stamperFor } from "./_stamper.js";
import { loadCliConfig } from "./_config.js";
import { envelopeFrom } from "./_envelope.js";
import { CliError, readInput, writeAllOrNothing } from "./_io.js";
import type { CliIo, CliValues } from "./run.js";

/** The result as JSON, without the message bytes. */
export function reportOf(result: StampResult): Omit<StampResult, "message"> & { size: number } {
  const { message, ...rest } = result;
  return { ...rest, size: message.byteLength };
}

/** `mailstamp stamp`: writes the stamped (or untouched) message to stdout or -o. */
export async function stampCommand(values: CliValues, args: string[], io: CliIo): Promise<number> {
  if (args.length > 1) throw new CliError("stamp takes one MESSAGE (or - for standard input)", 2);
  const input = args[0] ?? "-";
  const config = await loadCliConfig(values.config && resolve(io.cwd, values.config), io.cwd);
  const raw = await readInput(input === "-" ? "-" : resolve(io.cwd, input), io.stdin);
  const result = await (await stamperFor(config)).stamp(raw, envelopeFrom(values));
  const files = [
    ...(values.output ? [{ path: resolve(io.cwd, values.output), data: result.message }] : []),
    ...(values.report
      ? [{ path: resolve(io.cwd, values.report), data: `${JSON.stringify(reportOf(result), null, 2)}\n` }]
      : []),
  ];
  await writeAllOrNothing(files);
  if (!values.output) io.stdout.write(result.message);
  const summary =
    result.status === "stamped"
      ? `stamped: ${result.stamps.map((s) => `${s.template} (${s.placement}, ${s.parts.join("+")})`).join(", ")}`
      : `${result.status}: ${result.reason}${result.detail ? ` — ${result.detail}` : ""}`;
  io.stderr.write(`mailstamp stamp: ${summary}\n`);
  return 0;
}
