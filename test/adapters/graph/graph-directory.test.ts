import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { GraphError } from "../../../src/adapters/graph/index.js";
import { isMailstampError } from "../../../src/index.js";
import { startFakeGraph, type FakeGraph } from "../../helpers/fake-graph.js";
import { directoryFor, harness } from "./_setup.js";
import { ADELE_PHOTO, adele, contoso, lee, TEST_CERTIFICATE_PEM } from "./_tenant.js";

let fake: FakeGraph;

beforeAll(async () => {
  fake = await startFakeGraph(contoso());
});
afterAll(() => fake.close());
afterEach(() => {
  fake.requests.length = 0;
});

/** User reads: `GET /users/{address}` and the `GET /users?$filter=…` alias search. */
const userGets = (): number => fake.count(/^GET \/v1\.0\/users(\/[^/]+)?$/);

describe("createGraphDirectory lookup", () => {
  it("returns the attributes templates use, with nulls dropped and businessPhones kept as a list", async () => {
    const user = await directoryFor(fake, harness()).lookup("AdeleV@contoso.com");
    expect(user).toMatchObject({
      id: adele.id,
      displayName: "Adele Vance",
      jobTitle: "Retail Manager",
      department: "Retail",
      companyName: "Contoso",
      businessPhones: ["+1 425 555 0109"],
      streetAddress: "205 108th Ave NE",
      city: "Bellevue",
      postalCode: "98004",
      employeeId: "E1001",
      aliases: ["adele@sales.contoso.com"],
      extensionAttribute1: "she/her",
      onPremisesExtensionAttributes: { extensionAttribute1: "she/her" },
    });
    expect(user).not.toHaveProperty("mobilePhone");
    expect(user).not.toHaveProperty("extensionAttribute2");
  });

  it("selects the properties Graph returns only on request, and always the id", async () => {
    await directoryFor(fake, harness()).lookup("AdeleV@contoso.com");
    const request = fake.requests.find((r) => r.path === "/v1.0/users/AdeleV@contoso.com");
    const select = request?.query.get("$select")?.split(",") ?? [];
    expect(select).toEqual(
      expect.arrayContaining([
        "id",
        "department",
        "companyName",
        "streetAddress",
        "employeeId",
        "onPremisesExtensionAttributes",
        "proxyAddresses",
      ]),
    );
  });

  it("asks for extra properties named in select", async () => {
    await directoryFor(fake, harness(), { select: ["employeeType"] }).lookup("MeganB@contoso.com");
    const request = fake.requests.find((r) => r.path === "/v1.0/users/MeganB@contoso.com");
    expect(request?.query.get("$select")?.split(",")).toContain("employeeType");
  });

  it("finds a user by alias through proxyAddresses after a 404, whatever the case", async () => {
    const user = await directoryFor(fake, harness()).lookup("ADELE@Sales.Contoso.com");
    expect(user?.displayName).toBe("Adele Vance");
    const filter = fake.requests.find((r) => r.path === "/v1.0/users")?.query.get("$filter") ?? "";
    expect(filter).toMatch(
      /x eq 'SMTP:adele@sales\.contoso\.com'\) or .*x eq 'smtp:adele@sales\.contoso\.com'/i,
    );
    expect(filter).toContain("'SMTP:");
    expect(filter).toContain("'smtp:");
  });

  it("finds a user whose address differs from the user principal name", async () => {
    const user = await directoryFor(fake, harness()).lookup("leeg@contoso.com");
    expect(user).toMatchObject({ id: lee.id, displayName: "Lee Gu", jobTitle: "Director" });
  });

  it("keeps an address with a quote from escaping the OData filter", async () => {
    const user = await directoryFor(fake, harness()).lookup("o'brien' or 1 eq 1@contoso.com");
    expect(user).toBeUndefined();
    const filter = fake.requests.find((r) => r.path === "/v1.0/users")?.query.get("$filter") ?? "";
    expect(filter).toContain("'SMTP:o''brien'' or 1 eq 1@contoso.com'");
  });

  it("collects transitive group names across every page, leaving out roles and administrative units", async () => {
    const user = await directoryFor(fake, harness()).lookup("AdeleV@contoso.com");
    expect([...(user?.groups ?? [])].sort()).toEqual([
      "All Staff",
      "Contoso Company",
      "Retail",
      "Sales Team",
    ]);
    expect(fake.count(/transitiveMemberOf$/)).toBe(3); // six objects, two per page
  });

  it("adds the manager and the photo in the size asked for when enabled", async () => {
    const user = await directoryFor(fake, harness(), { manager: true, photo: "96x96" }).lookup(
      "AdeleV@contoso.com",
    );
    expect(user?.manager).toMatchObject({ displayName: "Megan Bowen", jobTitle: "Marketing Manager" });
    expect(user?.photo).toEqual({ data: ADELE_PHOTO, contentType: "image/jpeg" });
    expect(fake.count(/^GET \/v1\.0\/users\/[^/]+\/photos\/96x96\/\$value$/)).toBe(1);
  });

  it("treats a missing manager or photo (404) as none", async () => {
    const user = await directoryFor(fake, harness(), { manager: true, photo: true }).lookup(
      "MeganB@contoso.com",
    );
    expect(user?.displayName).toBe("Megan Bowen");
    expect(user).not.toHaveProperty("manager");
    expect(user).not.toHaveProperty("photo");
  });

  it("does not ask for groups, manager or photo when they are switched off", async () => {
    const user = await directoryFor(fake, harness(), { groups: false }).lookup("AdeleV@contoso.com");
    expect(user?.groups).toEqual([]);
    expect(fake.requests.map((r) => r.path)).toEqual([
      expect.stringMatching(/token$/),
      "/v1.0/users/AdeleV@contoso.com",
    ]);
  });
});

describe("createGraphDirectory cache", () => {
  it("looks an unknown sender up once per negative-cache period, not once per message", async () => {
    const h = harness();
    const directory = directoryFor(fake, h, { cache: { negativeTtlMs: 60_000 } });
    for (let i = 0; i < 5; i++) expect(await directory.lookup("newsletter@robots.example")).toBeUndefined();
    expect(userGets()).toBe(2); // GET /users/{address} (404), then the proxyAddresses filter (empty)
    h.now += 61_000;
    for (let i = 0; i < 5; i++) await directory.lookup("newsletter@robots.example");
    expect(userGets()).toBe(4);
  });

  it("treats an address Graph cannot take as a key (400) as an unknown sender, cached like one", async () => {
    const h = harness();
    let badRequests = 0;
    // Graph answers 400 Request_BadRequest for a key it cannot parse; the fake only knows 404, so wrap it.
    const picky: typeof fetch = async (input, init) => {
      const url = String(input);
      if (/\/v1\.0\/users(\/|\?)/.test(url) && url.includes("odd%2Fname")) {
        badRequests++;
        return new Response(
          JSON.stringify({ error: { code: "Request_BadRequest", message: "Bad request." } }),
          {
            status: 400,
            headers: { "content-type": "application/json" },
          },
        );
      }
      return fetch(input, init);
    };
    const directory = directoryFor(fake, h, { fetch: picky });
    for (let i = 0; i < 3; i++) expect(await directory.lookup("odd/name@contoso.com")).toBeUndefined();
    expect(badRequests).toBe(2); // the direct key, then the alias filter — once for all three messages
    expect(h.warnings).toContain("Graph cannot look this address up; treating the sender as unknown");
  });

  it("answers again from the cache until the TTL passes", async () => {
    const h = harness();
    const directory = directoryFor(fake, h, { cache: { ttlMs: 600_000 } });
    await directory.lookup("MeganB@contoso.com");
    await directory.lookup("meganb@CONTOSO.com");
    expect(userGets()).toBe(1);
    h.now += 601_000;
    await directory.lookup("MeganB@contoso.com");
    expect(userGets()).toBe(2);
  });

  it("caches a user under every address, so an alias after the primary costs nothing", async () => {
    const directory = directoryFor(fake, harness());
    await directory.lookup("AdeleV@contoso.com");
    const before = fake.requests.length;
    expect((await directory.lookup("adele@sales.contoso.com"))?.displayName).toBe("Adele Vance");
    expect(fake.requests.length).toBe(before);
  });

  it("sends one request for concurrent lookups of the same user", async () => {
    const directory = directoryFor(fake, harness(), { groups: false });
    const users = await Promise.all(Array.from({ length: 10 }, () => directory.lookup("MeganB@contoso.com")));
    expect(new Set(users.map((u) => u?.displayName))).toEqual(new Set(["Megan Bowen"]));
    expect(userGets()).toBe(1);
  });

  it("forgets the least recently used address beyond the bound", async () => {
    const directory = directoryFor(fake, harness(), { groups: false, cache: { maxEntries: 2 } });
    await directory.lookup("MeganB@contoso.com"); // cached as meganb@ (one address)
    await directory.lookup("x1@nowhere.example");
    await directory.lookup("MeganB@contoso.com"); // still cached, now most recent
    await directory.lookup("x2@nowhere.example"); // evicts x1
    expect(userGets()).toBe(1 + 2 + 2);
    await directory.lookup("MeganB@contoso.com");
    expect(userGets()).toBe(5);
    await directory.lookup("x1@nowhere.example");
    expect(userGets()).toBe(7);
  });

  it("serves an expired entry when Graph is down, and fails when nothing is cached", async () => {
    const h = harness();
    const directory = directoryFor(fake, h, { groups: false, maxRetries: 1, cache: { ttlMs: 60_000 } });
    await directory.lookup("MeganB@contoso.com");
    h.now += 120_000;
    fake.fail({ status: 503, times: 4 });
    expect((await directory.lookup("MeganB@contoso.com"))?.displayName).toBe("Megan Bowen");
    expect(h.warnings).toContain("graph lookup failed; serving the cached entry");
    await expect(directory.lookup("LeeG@contoso.com")).rejects.toMatchObject({
      status: 503,
      code: "DIRECTORY_FAILED",
    });
  });

  it("clear() forgets every lookup", async () => {
    const directory = directoryFor(fake, harness(), { groups: false });
    await directory.lookup("MeganB@contoso.com");
    directory.clear();
    await directory.lookup("MeganB@contoso.com");
    expect(userGets()).toBe(2);
  });
});

describe("createGraphDirectory retries and errors", () => {
  it("succeeds after a throttled lookup, waiting exactly the Retry-After", async () => {
    const h = harness();
    fake.fail({ status: 429, times: 1, retryAfter: 3 });
    const user = await directoryFor(fake, h, { groups: false }).lookup("MeganB@contoso.com");
    expect(user?.displayName).toBe("Megan Bowen");
    expect(h.sleeps).toEqual([3000]);
    expect(userGets()).toBe(2);
  });

  it("gives up at once when Retry-After is longer than the cap, reporting Graph's code", async () => {
    const h = harness();
    fake.fail({ status: 429, times: 1, retryAfter: 120 });
    const error = await directoryFor(fake, h, { maxRetryWaitMs: 10_000 })
      .lookup("MeganB@contoso.com")
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GraphError);
    expect(error).toMatchObject({ code: "DIRECTORY_FAILED", status: 429, graphCode: "TooManyRequests" });
    expect(h.sleeps).toEqual([]);
  });

  it("backs off exponentially on 503 and 504 without Retry-After, up to maxRetries", async () => {
    const h = harness();
    fake.fail({ status: 503, times: 1 });
    fake.fail({ status: 504, times: 1 });
    const user = await directoryFor(fake, h, { groups: false }).lookup("MeganB@contoso.com");
    expect(user?.displayName).toBe("Megan Bowen");
    expect(h.sleeps).toEqual([500, 1000]);
    fake.fail({ status: 503, times: 3 });
    await expect(
      directoryFor(fake, h, { groups: false, maxRetries: 2 }).lookup("LeeG@contoso.com"),
    ).rejects.toMatchObject({
      graphCode: "serviceNotAvailable",
    });
  });

  it("reports a refusal with Graph's error code and does not retry it", async () => {
    fake.fail({ status: 403, times: 1 });
    const error = await directoryFor(fake, harness())
      .lookup("MeganB@contoso.com")
      .catch((e: unknown) => e);
    expect(isMailstampError(error)).toBe(true);
    expect(error).toMatchObject({
      graphCode: "Authorization_RequestDenied",
      status: 403,
      request: "GET /users/MeganB@contoso.com?$select=" + (error as GraphError).request.split("$select=")[1],
    });
    expect((error as Error).message).toContain("Insufficient privileges");
    expect(userGets()).toBe(1);
  });
});

describe("createGraphDirectory tokens", () => {
  it("gets one token for many lookups and a new one shortly before it expires", async () => {
    const h = harness();
    const directory = directoryFor(fake, h, { groups: false, cache: { ttlMs: 1000 } });
    await directory.lookup("MeganB@contoso.com");
    await directory.lookup("AdeleV@contoso.com");
    expect(fake.count(/token$/)).toBe(1);
    h.now += 3599_000 - 4 * 60_000; // inside the last five minutes of the token's life
    await directory.lookup("MeganB@contoso.com");
    expect(fake.count(/token$/)).toBe(2);
  });

  it("refreshes an expired token once on 401 and carries on", async () => {
    const directory = directoryFor(fake, harness(), { groups: false });
    await directory.lookup("MeganB@contoso.com");
    fake.expireTokens();
    expect((await directory.lookup("AdeleV@contoso.com"))?.displayName).toBe("Adele Vance");
    expect(fake.count(/token$/)).toBe(2);
  });

  it("reports a wrong client secret with the token endpoint's code", async () => {
    const error = await directoryFor(fake, harness(), { clientSecret: "wrong" })
      .lookup("MeganB@contoso.com")
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "DIRECTORY_FAILED", status: 401, graphCode: "invalid_client" });
    expect((error as Error).message).toContain("AADSTS7000215");
    expect((error as Error).message).not.toContain("wrong");
  });

  it("signs in with a certificate: an RS256 client assertion naming the certificate by x5t", async () => {
    const directory = directoryFor(fake, harness(), {
      clientSecret: undefined as unknown as string,
      certificate: { privateKey: TEST_CERTIFICATE_PEM, certificate: TEST_CERTIFICATE_PEM },
    });
    expect((await directory.lookup("MeganB@contoso.com"))?.displayName).toBe("Megan Bowen");
    expect(fake.tokens.at(-1)).toMatchObject({
      via: "assertion",
      assertionHeader: { alg: "RS256", typ: "JWT" },
    });
  });

  it("uses any { getToken } credential, asking for the Graph .default scope", async () => {
    const scopes: Array<string | string[]> = [];
    const issued = await fetch(`${fake.url}/contoso.onmicrosoft.com/oauth2/v2.0/token`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({
        client_id: contoso().clientId,
        client_secret: contoso().clientSecret ?? "",
        scope: `${fake.url}/.default`,
        grant_type: "client_credentials",
      }),
    }).then((r) => r.json() as Promise<{ access_token: string }>);
    const directory = directoryFor(fake, harness(), {
      clientSecret: undefined as unknown as string,
      credential: {
        getToken: async (scope) => {
          scopes.push(scope);
          return { token: issued.access_token, expiresOnTimestamp: Date.now() + 3_600_000 };
        },
      },
    });
    expect((await directory.lookup("MeganB@contoso.com"))?.jobTitle).toBe("Marketing Manager");
    expect(scopes).toEqual([[`${fake.url}/.default`]]);
  });
});

describe("createGraphDirectory options", () => {
  it("lists every problem with the options at once", () => {
    expect(() =>
      directoryFor(fake, harness(), {
        clientSecret: undefined as unknown as string,
        graphUrl: "http://graph.example.com",
        photo: "100x100" as "96x96",
        cache: { ttlMs: 0 },
      }),
    ).toThrow(
      /clientSecret, certificate and credential[\s\S]*graphUrl: expected an https:\/\/ URL[\s\S]*photo[\s\S]*cache\.ttlMs/,
    );
  });
});
