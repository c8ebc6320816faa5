import { resolve } from "node:path";
import type { StampResult } from "../index.js";
import { stamperFor } from "./_stamper.js";
import { loadCliConfig } from "./_config.js";
import { envelopeFrom } from "./_envelope.js";
import { CliError, readInput } from "./_io.js";
import type { CliIo, CliValues } from "./run.js";
import { reportOf } from "./stamp.js";

function show(value: unknown): string {
  if (value === undefined) return "(none)";
  const text = typeof value === "string" ? JSON.stringify(value) : (JSON.stringify(value) ?? String(value));
  return text.length > 120 ? `${text.slice(0, 117)}...` : text;
}

/** The human-readable explanation: message type, outcome, then per rule the conditions and the verdict. */
export function formatExplanation(result: StampResult): string {
  const lines: string[] = [];
  lines.push(`message type: ${result.messageType}`);
  if (result.status === "stamped") {
    lines.push("outcome: stamped");
    for (const s of result.stamps) {
      const where = Object.entries(s.boundary ?? {})
        .map(([part, pattern]) => `${part} at ${pattern}`)
        .join("; ");
      lines.push(
        `  + ${s.template} by rule "${s.rule}": ${s.placement} into ${s.parts.join(" and ") || "no part"}` +
          (where ? ` (${where})` : s.placement === "under-reply" ? " (no reply boundary: end of body)" : ""),
      );
    }
  } else {
    lines.push(`outcome: ${result.status} (${result.reason}${result.detail ? `: ${result.detail}` : ""})`);
  }
  if (result.trace.length > 0) lines.push("", "rules:");
  for (const rule of result.trace) {
    const verdict = !rule.enabled ? "disabled" : rule.matched ? "MATCHED" : "not matched";
    const decided = rule.decidedBy ? ` — decided by ${rule.decidedBy}` : "";
    lines.push(
      `  ${rule.index + 1}. ${rule.rule}: ${verdict}${decided}${rule.note ? ` (${rule.note})` : ""}`,
    );
    for (const c of rule.conditions) {
      lines.push(`       ${c.verdict ? "yes" : "no "}  ${c.path}  seen ${show(c.seen)}`);
    }
  }
  return `${lines.join("\n")}\n`;
}

/** `mailstamp explain`: why each rule matched or not, and where the stamps would go. Writes nothing else. */
export async function explainCommand(values: CliValues, args: string[], io: CliIo): Promise<number> {
  if (args.length !== 1) throw new CliError("explain takes exactly one MESSAGE", 2);
  const config = await loadCliConfig(values.config && resolve(io.cwd, values.config), io.cwd);
  const input = args[0] as string;
  const raw = await readInput(input === "-" ? "-" : resolve(io.cwd, input), io.stdin);
  const result = await (await stamperFor(config)).stamp(raw, envelopeFrom(values));
  io.stdout.write(values.json ? `${JSON.stringify(reportOf(result), null, 2)}\n` : formatExplanation(result));
  return 0;
}
