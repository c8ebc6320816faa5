import { describe, expect, it } from "vitest";
import { domainOf, isInternalDomain, matchesDomain } from "../../../src/core/rules/domain-match.js";

describe("matchesDomain", () => {
  it.each<[string, string, boolean]>([
    ["example.org", "example.org", true],
    ["EXAMPLE.org", "example.ORG", true],
    ["example.org.", "example.org", true],
    ["a.example.org", "example.org", false],
    ["a.example.org", "*.example.org", true],
    ["x.y.example.org", "*.example.org", true],
    ["example.org", "*.example.org", true],
    ["Mail.Example.Org", "*.EXAMPLE.org", true],
    ["badexample.org", "*.example.org", false],
    ["example.org.evil.net", "*.example.org", false],
    ["example.org", "*.", false],
    ["", "example.org", false],
    ["example.org", "", false],
  ])("matches %s against %s: %s", (domain, pattern, expected) => {
    expect(matchesDomain(domain, pattern)).toBe(expected);
  });
});

describe("isInternalDomain", () => {
  const org = ["example.com", "*.example.org"];
  it.each<[string, boolean]>([
    ["example.com", true],
    ["sales.example.org", true],
    ["example.org", true],
    ["sales.example.com", false],
    ["partner.net", false],
  ])("treats %s as internal: %s", (domain, expected) => {
    expect(isInternalDomain(domain, org)).toBe(expected);
  });

  it("treats every domain as external without organisation domains", () => {
    expect(isInternalDomain("example.com", [])).toBe(false);
  });
});

describe("domainOf", () => {
  it.each<[string, string]>([
    ["Alice@Example.COM", "example.com"],
    ['"a@b"@example.com', "example.com"],
    ["postmaster", ""],
    ["user@", ""],
  ])("takes the domain of %s as %j", (address, expected) => {
    expect(domainOf(address)).toBe(expected);
  });
});
