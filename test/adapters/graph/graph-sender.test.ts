import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createGraphSender, type GraphSenderOptions } from "../../../src/adapters/graph/index.js";
import { startFakeGraph, type FakeGraph } from "../../helpers/fake-graph.js";
import { CLIENT_ID, CLIENT_SECRET, contoso, TENANT_ID } from "./_tenant.js";

let fake: FakeGraph;
beforeAll(async () => {
  fake = await startFakeGraph(contoso());
});
afterAll(() => fake.close());
beforeEach(() => {
  fake.requests.length = 0;
  fake.sent.length = 0;
});

function sender(extra: Partial<GraphSenderOptions> = {}) {
  return createGraphSender({
    tenantId: TENANT_ID,
    clientId: CLIENT_ID,
    clientSecret: CLIENT_SECRET,
    graphUrl: fake.url,
    authorityUrl: fake.url,
    sleep: async () => {},
    ...extra,
  });
}

const stamped = (body: string): string =>
  [
    "From: Adele Vance <AdeleV@contoso.com>",
    "To: partner@fabrikam.example",
    "Subject: Quarterly numbers",
    "Message-ID: <q1@contoso.com>",
    "X-Mailstamp: 1; v=abc",
    "Content-Type: text/plain; charset=utf-8",
    "",
    body,
  ].join("\r\n");

describe("createGraphSender", () => {
  it("submits the stamped MIME as base64 text/plain and Graph accepts it", async () => {
    const message = stamped("Hello\r\n-- \r\nAdele Vance · Retail Manager\r\n");
    await sender().send(message, { mailbox: "AdeleV@contoso.com" });
    expect(fake.sent).toHaveLength(1);
    expect(fake.sent[0]?.mailbox).toBe("AdeleV@contoso.com");
    expect(fake.sent[0]?.mime.toString("utf8")).toBe(message);
    const request = fake.requests.find((r) => r.path.endsWith("/sendMail"));
    expect(request?.headers["content-type"]).toBe("text/plain");
  });

  it("refuses a message without the marker, which the routing rule would catch again", async () => {
    const unmarked = stamped("Hello").replace("X-Mailstamp: 1; v=abc\r\n", "");
    await expect(sender().send(unmarked, { mailbox: "AdeleV@contoso.com" })).rejects.toThrow(
      /no X-Mailstamp header/,
    );
    expect(fake.sent).toHaveLength(0);
    await sender({ markerHeader: false }).send(unmarked, { mailbox: "AdeleV@contoso.com" });
    expect(fake.sent).toHaveLength(1);
  });

  it("refuses a message over Graph's request limit before sending anything", async () => {
    const big = stamped("x".repeat(3.5 * 1024 * 1024));
    const error = await sender()
      .send(big, { mailbox: "AdeleV@contoso.com" })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "MESSAGE_TOO_LARGE" });
    expect((error as Error).message).toMatch(/send it over SMTP/);
    expect(fake.count(/sendMail$/)).toBe(0);
  });

  it("turns Graph's 413 into the same clear error when the limit was set too high", async () => {
    const big = stamped("y".repeat(3.2 * 1024 * 1024));
    const error = await sender({ maxRequestBytes: 8 * 1024 * 1024 })
      .send(big, { mailbox: "AdeleV@contoso.com" })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "MESSAGE_TOO_LARGE", status: 413 });
    expect(fake.sent).toHaveLength(0);
  });

  it("reports Graph's error code when the mailbox does not exist", async () => {
    const error = await sender()
      .send(stamped("Hi"), { mailbox: "nobody@contoso.com" })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "SEND_FAILED", status: 404, graphCode: "Request_ResourceNotFound" });
  });

  it("retries a throttled submission after Retry-After and sends it once", async () => {
    const waits: number[] = [];
    fake.fail({ status: 429, times: 1, retryAfter: 1, match: (r) => r.path.endsWith("/sendMail") });
    await sender({ sleep: async (ms) => void waits.push(ms) }).send(stamped("Hi"), {
      mailbox: "AdeleV@contoso.com",
    });
    expect(waits).toEqual([1000]);
    expect(fake.sent).toHaveLength(1);
  });

  it("does not send again after a 504, because Graph may already have taken the message", async () => {
    fake.fail({ status: 504, times: 1, match: (r) => r.path.endsWith("/sendMail") });
    await expect(sender().send(stamped("Hi"), { mailbox: "AdeleV@contoso.com" })).rejects.toMatchObject({
      code: "SEND_FAILED",
      status: 504,
    });
    expect(fake.requests.filter((r) => r.path.endsWith("/sendMail"))).toHaveLength(1);
  });

  it("does not send again after the connection failed mid-request, and says the outcome is unknown", async () => {
    let posts = 0;
    const flaky: typeof fetch = async (input, init) => {
      if (String(input).endsWith("/sendMail")) {
        posts++;
        throw new TypeError("fetch failed: socket hang up");
      }
      return fetch(input, init);
    };
    await expect(
      sender({ fetch: flaky }).send(stamped("Hi"), { mailbox: "AdeleV@contoso.com" }),
    ).rejects.toThrow(/not sent again/);
    expect(posts).toBe(1);
  });
});
