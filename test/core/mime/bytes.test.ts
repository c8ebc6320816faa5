import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { concatBytes, insertedLinesFit, longestLine } from "../../../src/core/mime/_bytes.js";

const bytes = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, "latin1"));

function splice(data: Uint8Array, insertions: ReadonlyArray<{ at: number; data: Uint8Array }>): Uint8Array {
  const chunks: Uint8Array[] = [];
  let pos = 0;
  for (const ins of insertions) {
    chunks.push(data.subarray(pos, ins.at), ins.data);
    pos = ins.at;
  }
  chunks.push(data.subarray(pos));
  return concatBytes(chunks);
}

describe("insertedLinesFit", () => {
  it("measures only the lines around the insertion points", () => {
    expect(insertedLinesFit(bytes("ab\ncd"), [{ at: 1, data: bytes("xyz") }], 5)).toBe(true);
    expect(insertedLinesFit(bytes("ab\ncd"), [{ at: 1, data: bytes("xyz") }], 4)).toBe(false);
    expect(insertedLinesFit(bytes("ab\ncd"), [{ at: 4, data: bytes("1\n22\n3") }], 2)).toBe(true);
  });

  // The fast path that spares scanning a whole stamped part: "true" must mean the splice made no line longer
  // than the limit or the longest line the part already had.
  it("never says a splice fits when it made a line longer than both the limit and the original lines", () => {
    const line = fc.array(fc.constantFrom("a", " ", "\r"), { maxLength: 12 }).map((units) => units.join(""));
    const text = fc.array(line, { maxLength: 6 }).map((lines) => bytes(lines.join("\n")));
    fc.assert(
      fc.property(
        text,
        fc.array(fc.tuple(fc.nat(), text), { maxLength: 4 }),
        fc.integer({ min: 0, max: 14 }),
        (data, raw, limit) => {
          const insertions = raw
            .map(([at, piece]) => ({ at: at % (data.length + 1), data: piece }))
            .sort((a, b) => a.at - b.at);
          if (insertedLinesFit(data, insertions, limit)) {
            expect(longestLine(splice(data, insertions))).toBeLessThanOrEqual(
              Math.max(limit, longestLine(data)),
            );
          }
        },
      ),
      { seed: 7, numRuns: 2000 },
    );
  });
});
