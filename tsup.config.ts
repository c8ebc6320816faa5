import { defineConfig } from "tsup";

/** Library entries: keep in step with package.json "exports" (test/package.test.ts checks it). */
export const libraryEntries = {
  index: "src/index.ts",
  smtp: "src/adapters/smtp/index.ts",
  graph: "src/adapters/graph/index.ts",
} as const;

export default defineConfig([
  {
    entry: libraryEntries,
    format: ["esm", "cjs"],
    dts: true,
    clean: true,
    sourcemap: true,
    target: "node20",
    splitting: true,
    treeshake: true,
  },
  {
    entry: { cli: "src/cli/main.ts" },
    format: ["esm"],
    dts: false,
    clean: false,
    sourcemap: true,
    target: "node20",
    banner: { js: "#!/usr/bin/env node" },
  },
  {
    // The relay's stamping worker (relay.stampWorkers): loaded by path next to the built adapter, not imported.
    entry: { "stamp-worker": "src/adapters/smtp/stamp-worker.ts" },
    format: ["esm"],
    dts: false,
    clean: false,
    sourcemap: true,
    target: "node20",
  },
]);
