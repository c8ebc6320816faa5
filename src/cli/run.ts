/** @module mailstamp/cli — argument parsing and output only; every decision is made by the public API. */
import { parseArgs, type ParseArgsConfig } from "node:util";
import { CliError } from "./_io.js";
import { toCliError } from "./_config.js";
import { checkCommand } from "./check.js";
import { explainCommand } from "./explain.js";
import { previewCommand } from "./preview.js";
import { relayCommand } from "./relay.js";
import { stampCommand } from "./stamp.js";

/** The streams and folder a CLI run uses; tests pass their own. */
export interface CliIo {
  stdin: NodeJS.ReadableStream;
  stdout: { write(chunk: string | Uint8Array): unknown };
  stderr: { write(chunk: string): unknown };
  cwd: string;
}

export const USAGE = `mailstamp — stamp email with signatures, disclaimers and banners

Usage:
  mailstamp stamp   [-c CONFIG] [--mail-from ADDR] [--rcpt ADDR]... [-o OUT.eml] [--report REPORT.json] [MESSAGE.eml|-]
  mailstamp explain [-c CONFIG] [--mail-from ADDR] [--rcpt ADDR]... [--json] MESSAGE.eml
  mailstamp check   [-c CONFIG]
  mailstamp preview [-c CONFIG] --user ADDR [--template NAME] [-o PREVIEW.html]
  mailstamp relay   [-c CONFIG]          run the SMTP relay (the config's relay: section) until SIGTERM

Options:
  -c, --config FILE   config file (default: mailstamp.config.{yaml,yml,json} in the working directory)
  --mail-from ADDR    SMTP envelope sender
  --rcpt ADDR         SMTP envelope recipient (repeatable); without it To/Cc/Bcc are used
  -o, --output FILE   write the result here instead of standard output
  --report FILE       stamp: also write the result (without the message bytes) as JSON
  --json              explain: print the result as JSON
  --user ADDR         preview: the directory user to render for
  --template NAME     preview: only this template
  -h, --help          show this help
  -v, --version       show the version

Exit codes: 0 done (stamped or skipped), 1 bad config or unreadable input, 2 wrong usage.
`;

const OPTIONS = {
  config: { type: "string", short: "c" },
  "mail-from": { type: "string" },
  rcpt: { type: "string", multiple: true },
  output: { type: "string", short: "o" },
  report: { type: "string" },
  json: { type: "boolean" },
  user: { type: "string" },
  template: { type: "string" },
  help: { type: "boolean", short: "h" },
  version: { type: "boolean", short: "v" },
} satisfies ParseArgsConfig["options"];

/** Which options each command takes; anything else is a usage error (exit 2). */
const ALLOWED: Record<string, ReadonlyArray<keyof typeof OPTIONS>> = {
  stamp: ["config", "mail-from", "rcpt", "output", "report"],
  explain: ["config", "mail-from", "rcpt", "json"],
  check: ["config"],
  preview: ["config", "user", "template", "output"],
  relay: ["config"],
};

export type CliValues = {
  [K in keyof typeof OPTIONS]?: (typeof OPTIONS)[K] extends { multiple: true }
    ? string[]
    : (typeof OPTIONS)[K] extends { type: "boolean" }
      ? boolean
      : string;
};

/**
 * Runs the CLI with the given arguments (without `node` and the script) and returns the exit code.
 *
 * @example
 * process.exitCode = await run(process.argv.slice(2), { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr, cwd: process.cwd() });
 */
export async function run(argv: readonly string[], io: CliIo, version = "0.0.0"): Promise<number> {
  let parsed: { values: CliValues; positionals: string[] };
  try {
    parsed = parseArgs({
      args: [...argv],
      options: OPTIONS,
      allowPositionals: true,
      strict: true,
    }) as typeof parsed;
  } catch (err) {
    io.stderr.write(`mailstamp: ${(err as Error).message}\nRun "mailstamp --help" for usage.\n`);
    return 2;
  }
  const { values, positionals } = parsed;
  const [command, ...rest] = positionals;
  if (values.version) {
    io.stdout.write(`${version}\n`);
    return 0;
  }
  if (values.help || command === "help") {
    io.stdout.write(USAGE);
    return 0;
  }
  if (!command || !(command in ALLOWED)) {
    io.stderr.write(`mailstamp: ${command ? `unknown command "${command}"` : "missing command"}\n${USAGE}`);
    return 2;
  }
  const allowed = ALLOWED[command] ?? [];
  for (const key of Object.keys(values) as Array<keyof typeof OPTIONS>) {
    if (!allowed.includes(key)) {
      io.stderr.write(
        `mailstamp ${command}: option --${key} does not apply here\nRun "mailstamp --help" for usage.\n`,
      );
      return 2;
    }
  }
  try {
    switch (command) {
      case "stamp":
        return await stampCommand(values, rest, io);
      case "explain":
        return await explainCommand(values, rest, io);
      case "check":
        return await checkCommand(values, rest, io);
      case "relay":
        return await relayCommand(values, rest, io);
      default:
        return await previewCommand(values, rest, io);
    }
  } catch (err) {
    const cliError = toCliError(err);
    const lines = cliError.message.split("\n").map((line) => `mailstamp ${command}: ${line}`);
    io.stderr.write(`${lines.join("\n")}\n`);
    if (cliError.exitCode === 2) io.stderr.write(`Run "mailstamp --help" for usage.\n`);
    return cliError.exitCode;
  }
}

export { CliError };
