import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { MailstampError } from "../../../src/core/errors.js";
import {
  MAX_REGEX_INPUT,
  MAX_REGEX_SOURCE,
  checkRegex,
  compileRegex,
  testRegex,
} from "../../../src/core/rules/safe-regex.js";

describe("checkRegex", () => {
  it.each([
    "^VP",
    "^(Re|Fwd):",
    "\\d{3}-\\d{4}",
    "[A-Z]{2,4}-\\d+",
    "invoice|receipt",
    "^[^@]+@example\\.com$",
    "\\bconfidential\\b",
    "^\\[EXTERNAL\\]",
    "(?:\\w+\\s)+",
    "(\\d{1,3}\\.){3}\\d{1,3}",
    "^[\\w.+-]+@[\\w-]+(\\.[\\w-]+)+$",
    "^(?:(?:Re|Fwd|AW|SV):\\s*)+",
    '(?:"[^"]*")+',
    "^\\s*\\S+\\s*$",
    ".*confidential.*",
    "(?=.*\\d)(?=.*[a-z])",
    "(?<!no-)reply",
    "(?<year>\\d{4})-(?<month>\\d{2})",
    "\\p{Lu}{2,}",
    "caf[eé]|naïve",
    "[\\]\\\\-]+x",
    "a{2}",
    "x*?y",
    "(a{1,3}){1,3}b",
    "^\\+?\\d{1,3}[ -]?\\d{2,4}",
    "(?:foo|bar)\\s+baz",
    "^[A-Z][a-z]+ [A-Z][a-z]+$",
    "\\b(?:urgent|asap)\\b",
    "^.{0,20}confidential",
    ".*confidential",
    "a{0,16}a{0,16}x",
    "(?=.*\\d)(?=.*[a-z])\\w+$",
  ])("accepts the everyday pattern %s", (source) => {
    expect(checkRegex(source)).toBeUndefined();
  });

  it.each([
    ["(a+)+", "nested quantifiers"],
    ["(a*)*", "nested quantifiers"],
    ["(?:\\w+\\s?)+", "nested quantifiers"],
    ["^(\\w+\\s?)*$", "nested quantifiers"],
    ["(.*a){20}", "nested quantifiers"],
    ["(a{1,3})+", "nested quantifiers"],
    ["(?:a{1,100}){1,100}$", "nested quantifiers"],
    ["^(([a-z])+.)+[A-Z]([a-z])+$", "catastrophically"],
    ["((ab)+)+c", "nested quantifiers"],
    ["(?=(a+)+b)", "nested quantifiers"],
    ["(a|a)*", "alternatives"],
    ["(a|ab)*", "alternatives"],
    ["(\\w|\\d)+", "alternatives"],
    ["(?:Re|RE)+:", "alternatives"],
    ["(é|É)+", "alternatives"],
    ["(k|\\u212a)+", "alternatives"],
    ["\\d+\\d+$", "can match the same text"],
    [".*.*=", "can match the same text"],
    [".*a.*b", "can match the same text"],
    [".*confidential.*$", "can match the same text"],
    ["\\s+\\s+x", "can match the same text"],
    // Nested bounded repeats and ambiguity under bounded repeats (each ran > 15 s on < 300 characters).
    ["(?:\\d{1,3}\\.?){16}x", "nested quantifiers"],
    ["(?:a{1,16}){1,16}x", "nested quantifiers"],
    ["(.{0,16}){16}x", "nested quantifiers"],
    ["(?:a|a){16}(?:a|a){16}x", "alternatives"],
    ["^(?:(?:a?){8}){8}$", "nested quantifiers"],
    ["(?:(?:a?){16}){16}x", "nested quantifiers"],
    ["(a|ab){2}", "alternatives"],
    ["a{0,16}a{0,16}a{0,16}x", "more than 100 ways"],
    // Found by fuzzing: quadratic scans multiplied by what surrounds them (0.3–12 s on 16 Ki characters).
    ["\\w+a{20}x", "retried at every position"],
    ["\\d+\\d{0,16}x", "retried at every position"],
    ["(?:b[^b]{0,9}(?:\\w{3}\\w{12})+\\w)!", "more than 1 way"],
    ["(?=a{3,17}(?!.{1,11}a{15}[ab]{0,6}?(?:\\wa+){1}))c", "more than 1 way"],
    ["a?\\w+x", "more than 1 way"],
    ["(?:(?=\\w+\\s)\\w)+", "lookaround"],
    ["(?:a{2}(?:(?=[^b]{0,14})a)+b\\d){12}$", "rescans up to 14"],
    ["a{1,13}[ab](?:a+ c{0,17}c{2}| .(?: (?:\\d{0})){0,})[ab]?", "more than 1 way"],
    ["a{1,}(?!(?:[ab]{0,3}|[ab]{0,13}?(?:c|c)\\d|a(?: ){0,16})?a*? *){1}[^b]", "retried at every position"],
    ["(a)\\1", "backreference"],
    ["(?<x>a)\\k<x>", "backreference"],
  ])("rejects %s (%s)", (source, reason) => {
    const problem = checkRegex(source);
    expect(problem).toContain(reason);
  });

  it("explains the nested quantifier it found", () => {
    expect(checkRegex("^(\\w+\\s?)*$")).toBe(
      'can backtrack catastrophically: "\\w+" is repeated inside "(\\w+\\s?)*" and the text after it could also ' +
        "continue it (nested quantifiers); make the repetitions unambiguous, e.g. with a separator",
    );
  });

  it("reports a pattern that does not compile", () => {
    expect(checkRegex("(unclosed")).toMatch(/^does not compile: .*Unterminated group/);
    expect(checkRegex("[z-a]")).toMatch(/^does not compile: /);
  });

  it("accepts Annex B syntax that only compiles without the u flag", () => {
    expect(checkRegex("a{,5}\\k")).toBeUndefined();
  });

  it("rejects patterns longer than the limit", () => {
    expect(checkRegex("a".repeat(MAX_REGEX_SOURCE + 1))).toContain(`longer than ${MAX_REGEX_SOURCE}`);
    expect(checkRegex("a".repeat(MAX_REGEX_SOURCE))).toBeUndefined();
  });

  it("rejects a hostile pattern without running it", () => {
    // Running /(a+)+$/ on this input would take longer than the age of the universe; checking must not run it.
    const hostile = "^(?:(a+)+|(b*)*)+(?:x|x)*$";
    expect(checkRegex(hostile)).toContain("catastrophically");
  });

  it("never throws, whatever the pattern", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary", maxLength: 40 }), (source) => {
        const problem = checkRegex(source);
        expect(problem === undefined || typeof problem === "string").toBe(true);
      }),
      { numRuns: 2000 },
    );
  });

  it("accepts only patterns that compileRegex can compile", () => {
    const atoms = [
      "a",
      "b",
      "\\d",
      "\\w",
      ".",
      "[^x]",
      "(",
      ")",
      "|",
      "*",
      "+",
      "?",
      "{2}",
      "{1,}",
      "^",
      "$",
      "\\1",
    ];
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...atoms), { maxLength: 12 }), (parts) => {
        const source = parts.join("");
        if (checkRegex(source) === undefined) expect(compileRegex(source)).toBeInstanceOf(RegExp);
        else expect(() => compileRegex(source)).toThrow(MailstampError);
      }),
      { numRuns: 1000 },
    );
  });
});

describe("compileRegex", () => {
  it("compiles case-insensitively", () => {
    expect(testRegex(compileRegex("^vp\\b"), "VP Sales")).toBe(true);
  });

  it("uses unicode mode when the pattern allows it", () => {
    expect(compileRegex("^\\p{Lu}").flags).toBe("iu");
    expect(testRegex(compileRegex("^.$"), "😀")).toBe(true);
  });

  it("falls back to non-unicode mode for Annex B patterns", () => {
    expect(compileRegex("a{,5}").flags).toBe("i");
  });

  it("returns the cached RegExp for the same source", () => {
    expect(compileRegex("invoice|receipt")).toBe(compileRegex("invoice|receipt"));
  });

  it("throws CONFIG_INVALID for an unsafe pattern", () => {
    expect(() => compileRegex("(a+)+$")).toThrow(expect.objectContaining({ code: "CONFIG_INVALID" }));
    expect(() => compileRegex("(a+)+$")).toThrow(/\/\(a\+\)\+\$\/ can backtrack catastrophically/);
  });

  it("throws CONFIG_INVALID for a pattern that does not compile", () => {
    expect(() => compileRegex("(")).toThrow(expect.objectContaining({ code: "CONFIG_INVALID" }));
  });
});

describe("testRegex", () => {
  it("only looks at the first MAX_REGEX_INPUT characters", () => {
    const re = compileRegex("needle");
    expect(MAX_REGEX_INPUT).toBe(16_384);
    expect(testRegex(re, `${"x".repeat(MAX_REGEX_INPUT - 6)}needle`)).toBe(true);
    expect(testRegex(re, `${"x".repeat(MAX_REGEX_INPUT - 5)}needle`)).toBe(false);
  });

  it("ignores lastIndex left by an earlier global match", () => {
    const re = /b/g;
    expect(testRegex(re, "ab")).toBe(true);
    expect(re.lastIndex).toBe(2);
    expect(testRegex(re, "ab")).toBe(true);
  });
});
