import { describe, expect, it } from "vitest";
import { parseConfig } from "../../../src/core/config/parse-config.js";
import { baseConfig, issuesOf } from "./_helpers.js";

describe("${env:NAME} substitution", () => {
  it("replaces references in every string value, also inside longer strings", () => {
    const config = parseConfig(
      {
        ...baseConfig(),
        organization: { name: "${env:ORG} Ltd", domains: ["${env:DOMAIN}"] },
        options: { marker: { secret: "${env:MAILSTAMP_SECRET}" } },
      },
      { env: { ORG: "Acme", DOMAIN: "acme.example", MAILSTAMP_SECRET: "s3cr3t" } },
    );
    expect(config.organization.name).toBe("Acme Ltd");
    expect(config.organization.domains).toEqual(["acme.example"]);
    expect(config.options.marker.secret).toBe("s3cr3t");
  });

  it("substitutes before validation, so a bad value from the environment is reported", () => {
    expect(
      issuesOf({ ...baseConfig(), options: { calendar: "${env:CAL}" } }, { env: { CAL: "sometimes" } }),
    ).toEqual([{ path: "options.calendar", message: "expected one of skip, stamp" }]);
  });

  it("reports a missing variable at the path that uses it", () => {
    expect(issuesOf({ ...baseConfig(), options: { marker: { secret: "${env:MAILSTAMP_SECRET}" } } })).toEqual(
      [{ path: "options.marker.secret", message: "environment variable MAILSTAMP_SECRET is not set" }],
    );
  });

  it("does not treat inherited object properties as set variables", () => {
    expect(issuesOf({ ...baseConfig(), organization: { name: "${env:constructor}" } }, { env: {} })).toEqual([
      { path: "organization.name", message: "environment variable constructor is not set" },
    ]);
  });

  it("keeps $${env:NAME} as literal text", () => {
    const config = parseConfig(
      { ...baseConfig(), organization: { name: "costs $${env:PRICE}", domains: [] } },
      { env: {} },
    );
    expect(config.organization.name).toBe("costs ${env:PRICE}");
  });

  it("reports an unterminated or malformed reference instead of keeping it in a secret", () => {
    expect(
      issuesOf({
        ...baseConfig(),
        options: { marker: { secret: "${env:SECRET" } },
        organization: { name: "${env:A-B}" },
      }),
    ).toEqual([
      { path: "organization.name", message: 'invalid environment variable name "A-B"' },
      { path: "options.marker.secret", message: 'unterminated ${env:SECRET} reference (missing "}")' },
    ]);
  });

  it("uses process.env by default", () => {
    process.env.MAILSTAMP_TEST_ORG = "From the process";
    try {
      const config = parseConfig({ ...baseConfig(), organization: { name: "${env:MAILSTAMP_TEST_ORG}" } });
      expect(config.organization.name).toBe("From the process");
    } finally {
      delete process.env.MAILSTAMP_TEST_ORG;
    }
  });

  it("leaves the input untouched", () => {
    const input = { ...baseConfig(), organization: { name: "${env:ORG}" } };
    parseConfig(input, { env: { ORG: "Acme" } });
    expect(input.organization.name).toBe("${env:ORG}");
  });
});
