/** Byte-level damage for property tests: flips, cut-offs, duplicated and dropped slices, inserted junk. */
import fc from "fast-check";

/** Messages from `messages`, each damaged by `minLength`–`maxLength` random operations. */
export function damaged(
  messages: fc.Arbitrary<string | Uint8Array>,
  ops: { minLength?: number; maxLength: number },
): fc.Arbitrary<Uint8Array> {
  return fc
    .tuple(
      messages,
      fc.array(
        fc.tuple(
          fc.nat(),
          fc.nat({ max: 64 }),
          fc.constantFrom("flip", "cut", "dup", "drop", "insert"),
          fc.uint8Array({ maxLength: 16 }),
        ),
        ops,
      ),
    )
    .map(([seed, list]) => {
      let b = Buffer.from(seed);
      for (const [pos, len, op, junk] of list) {
        const at = b.length ? pos % b.length : 0;
        if (op === "flip") b[at] = (b[at] ?? 0) ^ 0xff;
        else if (op === "cut") b = b.subarray(0, at);
        else if (op === "dup") b = Buffer.concat([b.subarray(0, at + len), b.subarray(at)]);
        else if (op === "drop") b = Buffer.concat([b.subarray(0, at), b.subarray(at + len)]);
        else b = Buffer.concat([b.subarray(0, at), junk, b.subarray(at)]);
      }
      return new Uint8Array(b);
    });
}
