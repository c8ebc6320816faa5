import { describe, expect, it } from "vitest";
import { graphDirectoryOptionsFromConfig } from "../../../src/adapters/graph/index.js";
import { ConfigError, parseConfig } from "../../../src/index.js";
import { TEST_CERTIFICATE_PEM } from "./_tenant.js";

const base = {
  templates: { t: { html: "<p>{{ user.displayName }}</p>" } },
  rules: [{ name: "all", stamps: [{ template: "t" }] }],
};

function issuesOf(
  graph: unknown,
  env: Record<string, string> = {},
): Array<{ path: string; message: string }> {
  try {
    parseConfig({ ...base, directory: { graph } }, { env });
  } catch (err) {
    if (err instanceof ConfigError) return [...err.issues];
    throw err;
  }
  return [];
}

describe("directory.graph in the config", () => {
  it("substitutes ${env:…} secrets and maps the section to directory options", () => {
    const config = parseConfig(
      {
        ...base,
        directory: {
          graph: {
            tenantId: "contoso.onmicrosoft.com",
            clientId: "c1",
            clientSecret: "${env:GRAPH_CLIENT_SECRET}",
            cloud: "usgov",
            photo: "120x120",
            manager: true,
            cacheTtlSeconds: 600,
            negativeCacheTtlSeconds: 60,
            cacheMaxUsers: 500,
            select: ["employeeType"],
          },
        },
      },
      { env: { GRAPH_CLIENT_SECRET: "s3cret" } },
    );
    expect(graphDirectoryOptionsFromConfig(config.directory.graph ?? {})).toEqual({
      tenantId: "contoso.onmicrosoft.com",
      clientId: "c1",
      clientSecret: "s3cret",
      cloud: "usgov",
      photo: "120x120",
      manager: true,
      select: ["employeeType"],
      cache: { ttlMs: 600_000, negativeTtlMs: 60_000, maxEntries: 500 },
    });
  });

  it("reports every wrong value with its path, with a hint for a misspelt key", () => {
    expect(
      issuesOf({
        tenantId: "t",
        clientSecret: 42,
        graphUrl: "http://graph.example.com",
        photo: "100x100",
        cacheTtlSeconds: 0,
        clientSecrett: "x",
      }),
    ).toEqual(
      expect.arrayContaining([
        { path: "directory.graph.clientSecret", message: "expected string" },
        { path: "directory.graph.graphUrl", message: expect.stringContaining("https://") },
        { path: "directory.graph.photo", message: expect.stringContaining("96x96") },
        { path: "directory.graph.cacheTtlSeconds", message: "expected a positive integer" },
        { path: "directory.graph.clientSecrett", message: expect.stringContaining("clientSecret") },
      ]),
    );
  });

  it("accepts plain http only on the loopback host", () => {
    expect(issuesOf({ graphUrl: "http://127.0.0.1:8080", authorityUrl: "http://localhost:9" })).toEqual([]);
  });

  it("names the keys a working section still needs", () => {
    const error = (() => {
      try {
        graphDirectoryOptionsFromConfig({
          tenantId: "t",
          clientSecret: "s",
          certificate: TEST_CERTIFICATE_PEM,
        });
      } catch (err) {
        return err;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).issues).toEqual([
      { path: "directory.graph.clientId", message: "required" },
      { path: "directory.graph.clientSecret", message: "give exactly one of clientSecret and certificate" },
    ]);
  });

  it("takes a certificate as PEM text holding the key and the certificate", () => {
    const options = graphDirectoryOptionsFromConfig({
      tenantId: "t",
      clientId: "c",
      certificate: TEST_CERTIFICATE_PEM,
    });
    expect(options.certificate).toEqual({
      privateKey: TEST_CERTIFICATE_PEM,
      certificate: TEST_CERTIFICATE_PEM,
    });
    expect(() =>
      graphDirectoryOptionsFromConfig({
        tenantId: "t",
        clientId: "c",
        certificate: "-----BEGIN CERTIFICATE-----",
      }),
    ).toThrow(/PRIVATE KEY/);
  });
});
