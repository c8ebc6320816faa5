import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startFakeGraph, type FakeGraph } from "../../helpers/fake-graph.js";
import { directoryFor, harness } from "./_setup.js";
import { adele, contoso, lee, megan } from "./_tenant.js";

let fake: FakeGraph;

// Thirty extra users so warm-up and delta need several batches and pages.
const staff = Array.from({ length: 30 }, (_, i) => ({
  id: `staff-${i}`,
  userPrincipalName: `staff${i}@contoso.com`,
  mail: `staff${i}@contoso.com`,
  displayName: `Staff ${i}`,
  jobTitle: "Associate",
  proxyAddresses: [`SMTP:staff${i}@contoso.com`],
}));

beforeAll(async () => {
  fake = await startFakeGraph(
    contoso({
      users: [adele, megan, lee, ...staff],
      memberOf: { [adele.id]: ["g-retail"] },
      deltaPageSize: 7,
    }),
  );
});
afterAll(() => fake.close());
beforeEach(() => {
  fake.requests.length = 0;
});

/** Graph requests that went on their own instead of inside a `$batch`. */
const direct = (): string[] =>
  fake.requests
    .filter((r) => !r.batched && r.path !== "/v1.0/$batch" && r.path.startsWith("/v1.0/"))
    .map((r) => r.path);

describe("warm", () => {
  it("looks many users up through $batch, 20 requests per round trip, matching shuffled answers by id", async () => {
    const directory = directoryFor(fake, harness());
    const addresses = [...staff.map((s) => s.mail as string), "adele@sales.contoso.com", "ghost@contoso.com"];
    expect(await directory.warm(addresses)).toBe(31);
    // 32 user GETs → 2 batches; 2 alias filters → 1 batch; 31 group lists → 2 batches.
    expect(fake.count(/^POST \/v1\.0\/\$batch$/)).toBe(5);
    // Only a second page of a batched group list goes on its own, by its nextLink (Adele: three groups, two a page).
    expect(direct()).toEqual([`/v1.0/users/${adele.id}/transitiveMemberOf`]);
    fake.requests.length = 0;
    for (const s of staff)
      expect((await directory.lookup(s.mail as string))?.displayName).toBe(s.displayName);
    expect((await directory.lookup("AdeleV@contoso.com"))?.groups).toEqual([
      "Retail",
      "All Staff",
      "Contoso Company",
    ]);
    expect(await directory.lookup("ghost@contoso.com")).toBeUndefined();
    expect(fake.requests).toHaveLength(0);
  });

  it("retries only the batch items Graph throttled, after their Retry-After", async () => {
    const h = harness();
    const directory = directoryFor(fake, h, { groups: false });
    fake.failBatchItems({ status: 429, times: 3, retryAfter: 2 });
    expect(await directory.warm(staff.slice(0, 10).map((s) => s.mail as string))).toBe(10);
    expect(h.sleeps).toEqual([2000]);
    const batchedUserGets = fake.requests.filter((r) => r.batched).length;
    expect(batchedUserGets).toBe(7 + 3); // 7 answered the first time, the 3 throttled ones on the retry
  });
});

describe("prefetch", () => {
  it("lists everyone through delta pages, then fetches only what changed through the delta link", async () => {
    const h = harness();
    const directory = directoryFor(fake, h, { groups: false });
    expect(await directory.prefetch()).toEqual({ mode: "full", updated: 33, removed: 0 });
    expect(fake.count(/^GET \/v1\.0\/users\/delta$/)).toBe(5); // 33 users, 7 per page
    fake.requests.length = 0;
    expect((await directory.lookup("staff3@contoso.com"))?.jobTitle).toBe("Associate");
    expect(fake.requests).toHaveLength(0);

    expect(await directory.lookup("newbie@contoso.com")).toBeUndefined(); // a negative entry before she exists
    fake.updateUser("staff-3", { jobTitle: "Team Lead" });
    fake.removeUser("staff-4");
    fake.addUser({
      id: "new-1",
      userPrincipalName: "newbie@contoso.com",
      mail: "newbie@contoso.com",
      displayName: "New Bie",
      proxyAddresses: ["SMTP:newbie@contoso.com"],
    });
    expect(await directory.prefetch()).toEqual({ mode: "delta", updated: 2, removed: 1 });
    const deltaRequest = fake.requests.filter((r) => r.path === "/v1.0/users/delta").at(-1);
    expect(deltaRequest?.query.has("$deltatoken")).toBe(true);
    fake.requests.length = 0;
    expect((await directory.lookup("staff3@contoso.com"))?.jobTitle).toBe("Team Lead");
    expect((await directory.lookup("newbie@contoso.com"))?.displayName).toBe("New Bie");
    expect(fake.requests).toHaveLength(0);
    expect(await directory.lookup("staff4@contoso.com")).toBeUndefined(); // dropped, asked again, gone
    expect(fake.count(/^GET \/v1\.0\/users\/staff4@contoso\.com$/)).toBe(1);
  });

  it.each([400, 410] as const)(
    "starts over with a full sync when the delta link expired (%i)",
    async (status) => {
      const directory = directoryFor(fake, harness(), { groups: false });
      await directory.prefetch();
      fake.expireDeltaLinks(status);
      fake.requests.length = 0;
      const result = await directory.prefetch();
      expect(result.mode).toBe("full");
      expect(result.updated).toBeGreaterThan(30);
      expect(fake.requests.filter((r) => r.path === "/v1.0/users/delta")[1]?.query.has("$select")).toBe(true);
    },
  );
});
