import { createRequire } from "node:module";
import { run } from "./run.js";

function packageVersion(): string {
  try {
    const require = createRequire(import.meta.url);
    // dist/cli.js sits one level below the package root; src/cli/main.ts (run with tsx) two.
    for (const path of ["../package.json", "../../package.json"]) {
      try {
        return (require(path) as { version: string }).version;
      } catch {
        // try the next location
      }
    }
  } catch {
    // no package.json reachable: fall through
  }
  return "0.0.0";
}

process.exitCode = await run(
  process.argv.slice(2),
  { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr, cwd: process.cwd() },
  packageVersion(),
);
