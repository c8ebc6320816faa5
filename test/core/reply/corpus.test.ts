import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { htmlEndIndex } from "../../../src/core/mime/_html-position.js";
import { findReplyBoundary } from "../../../src/core/reply/find-reply-boundary.js";

interface Entry {
  file: string;
  kind: "text" | "html";
  client: string;
  language: string;
  type: "reply" | "forward" | "new";
  expected: { before: string | null; after: string | null } | null;
}

const dir = join(import.meta.dirname, "../../fixtures/replies");
const manifest = JSON.parse(readFileSync(join(dir, "manifest.json"), "utf8")) as Entry[];

/** Entries whose boundary is known to be wrong today, with why (see the issue note). Empty: none. */
const KNOWN_MISSES = new Set<string>([]);

/** Where an under-reply stamp lands for this body, and whether that is where the corpus says it belongs. */
function placement(entry: Entry): { ok: boolean; detail: string } {
  const content = readFileSync(join(dir, entry.file), "utf8");
  const type = entry.kind === "html" ? "text/html" : "text/plain";
  const boundary = findReplyBoundary(content, type);
  if (entry.expected === null) {
    return { ok: boundary === undefined, detail: `found ${boundary?.pattern} in a new message` };
  }
  // No boundary: the injector puts under-reply at the end of the body (before </body> in HTML).
  const at = boundary ? boundary.index : type === "text/html" ? htmlEndIndex(content) : content.length;
  const { before, after } = entry.expected;
  const lo = before === null ? 0 : content.indexOf(before) + before.length;
  const hi = after === null ? content.length : content.indexOf(after);
  if ((before !== null && lo < before.length) || hi < 0)
    throw new Error(`${entry.file}: manifest text not found`);
  return {
    ok: at >= lo && at <= hi,
    detail: `at ${at} (${boundary?.pattern ?? "end of body"}), expected ${lo}..${hi}`,
  };
}

describe("the reply corpus", () => {
  const results = manifest.map((entry) => ({ entry, ...placement(entry) }));

  it("holds at least 120 bodies across the clients and languages of the issue", () => {
    expect(manifest.length).toBeGreaterThanOrEqual(120);
    expect(new Set(manifest.map((e) => e.language)).size).toBeGreaterThanOrEqual(19);
    expect(manifest.filter((e) => e.kind === "html").length).toBeGreaterThanOrEqual(19);
  });

  it.each(manifest.map((e) => [e.file, e] as const))("places the stamp right in %s", (_file, entry) => {
    const result = placement(entry);
    if (KNOWN_MISSES.has(entry.file)) expect(result.ok, "a known miss now passes: remove it").toBe(false);
    else expect(result.ok, result.detail).toBe(true);
  });

  it("places at least 97% of the corpus right, and misses exactly the known set", () => {
    const misses = results.filter((r) => !r.ok).map((r) => r.entry.file);
    expect(new Set(misses)).toEqual(KNOWN_MISSES);
    expect((results.length - misses.length) / results.length).toBeGreaterThanOrEqual(0.97);
  });
});
