import { readFileSync, readdirSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { libraryEntries } from "../tsup.config.js";

const root = join(import.meta.dirname, "..");
const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as {
  exports: Record<string, unknown>;
  bin: Record<string, string>;
};

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

describe("package.json", () => {
  it("exports exactly the tsup library entries, each with types, import and require", () => {
    const subpaths = Object.keys(pkg.exports).filter((k) => k !== "./package.json");
    const fromEntries = Object.keys(libraryEntries).map((name) => (name === "index" ? "." : `./${name}`));
    expect(subpaths.sort()).toEqual(fromEntries.sort());
    for (const [name] of Object.entries(libraryEntries)) {
      const key = name === "index" ? "." : `./${name}`;
      expect(pkg.exports[key]).toEqual({
        import: { types: `./dist/${name}.d.ts`, default: `./dist/${name}.js` },
        require: { types: `./dist/${name}.d.cts`, default: `./dist/${name}.cjs` },
      });
    }
  });

  it("names the CLI as the mailstamp bin", () => {
    expect(pkg.bin).toEqual({ mailstamp: "./dist/cli.js" });
  });
});

describe("architecture", () => {
  it("keeps the core free of adapter and CLI imports", () => {
    const offenders = filesUnder(join(root, "src/core"))
      .filter((f) => f.endsWith(".ts"))
      .filter((f) => /from\s+["'][^"']*\/(adapters|cli)\//.test(readFileSync(f, "utf8")))
      .map((f) => relative(root, f));
    expect(offenders).toEqual([]);
  });

  it("lets the CLI reach the core only through the public API", () => {
    const offenders = filesUnder(join(root, "src/cli"))
      .filter((f) => /from\s+["'][^"']*\/core\//.test(readFileSync(f, "utf8")))
      .map((f) => relative(root, f));
    expect(offenders).toEqual([]);
  });
});
