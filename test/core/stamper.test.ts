import PostalMime from "postal-mime";
import { describe, expect, it } from "vitest";
import { createStamper, type Directory } from "../../src/index.js";
import { alternativeMessage, testConfig } from "../helpers/config.js";

const decoder = new TextDecoder();
const fixedClock = () => new Date("2026-11-02T10:00:00Z");

async function parse(bytes: Uint8Array) {
  return PostalMime.parse(bytes);
}

describe("createStamper().stamp", () => {
  it("puts the HTML stamp in the HTML part and the text stamp in the text part", async () => {
    const stamper = createStamper(testConfig(), { clock: fixedClock });
    const result = await stamper.stamp(alternativeMessage());
    expect(result.status).toBe("stamped");
    expect(result.stamps.map((s) => [s.template, s.placement, [...s.parts].sort()])).toEqual([
      ["standard", "under-reply", ["text/html", "text/plain"]],
      ["legal", "bottom", ["text/html", "text/plain"]],
    ]);
    const parsed = await parse(result.message);
    expect(parsed.html).toContain("<b>Alice Example</b>");
    expect(parsed.html).toContain("This message is confidential.");
    expect(parsed.html?.indexOf("Alice Example")).toBeLessThan(parsed.html?.indexOf("confidential") ?? -1);
    expect(parsed.text).toContain("Alice Example · Chief Financial Officer");
    expect(parsed.text).toContain("M +1 555 0100");
    expect(parsed.text).not.toContain("<b>");
  });

  it("gives identical bytes when the output is stamped again", async () => {
    const stamper = createStamper(testConfig(), { clock: fixedClock });
    const first = await stamper.stamp(alternativeMessage());
    const second = await stamper.stamp(first.message);
    expect(second.status).toBe("skipped");
    expect(second.reason).toBe("already-stamped");
    expect(Buffer.from(second.message).equals(Buffer.from(first.message))).toBe(true);
  });

  it("adds the marker header and keeps every original header line", async () => {
    const raw = alternativeMessage();
    const result = await createStamper(testConfig(), { clock: fixedClock }).stamp(raw);
    const out = decoder.decode(result.message);
    const headerBlock = raw.slice(0, raw.indexOf("\r\n\r\n"));
    expect(out).toMatch(/^X-Mailstamp: /m);
    expect(out).toContain(headerBlock.slice(0, headerBlock.indexOf("Content-Type")));
  });

  it("escapes directory values in the HTML", async () => {
    const result = await createStamper(testConfig(), { clock: fixedClock }).stamp(
      alternativeMessage({ from: "carol@example.com" }),
    );
    const parsed = await parse(result.message);
    expect(parsed.html).toContain("Carol &lt;Script&gt; &amp; Co");
    expect(parsed.html).not.toContain("<Script>");
  });

  it("leaves out the mobile line when the user has no mobile number", async () => {
    const result = await createStamper(testConfig(), { clock: fixedClock }).stamp(
      alternativeMessage({ from: "carol@example.com" }),
    );
    const parsed = await parse(result.message);
    expect(parsed.html).not.toMatch(/<br>\s*M\s*</);
    expect(parsed.text).not.toMatch(/^M\s*$/m);
  });

  it("returns the original bytes untouched when no rule matches", async () => {
    const raw = alternativeMessage({ from: "stranger@elsewhere.test", to: "alice@example.com" });
    const result = await createStamper(testConfig(), { clock: fixedClock }).stamp(raw);
    expect(result).toMatchObject({ status: "skipped", reason: "no-rule-matched" });
    expect(decoder.decode(result.message)).toBe(raw);
    expect(result.trace.map((t) => t.matched)).toEqual([false, false]);
  });

  it("honours the unless veto and says which condition decided", async () => {
    const raw = alternativeMessage({ from: "stranger@elsewhere.test", subject: "Hello [no-signature]" });
    const result = await createStamper(testConfig(), { clock: fixedClock }).stamp(raw);
    expect(result.trace[0]).toMatchObject({ matched: false, decidedBy: "unless.subject.contains" });
  });

  it("takes recipients from the envelope when given", async () => {
    const stamper = createStamper(testConfig(), { clock: fixedClock });
    const raw = alternativeMessage({ from: "dave@elsewhere.test", to: "bob@partner.test" });
    const internalOnly = await stamper.stamp(raw, { envelope: { rcptTo: ["<colleague@example.com>"] } });
    expect(internalOnly.reason).toBe("no-rule-matched");
    const external = await stamper.stamp(raw, { envelope: { rcptTo: ["x@partner.test"] } });
    expect(external.status).toBe("stamped");
  });

  it("looks the sender up in a directory passed in code", async () => {
    const directory: Directory = {
      lookup: async (address) =>
        address === "zoe@example.com" ? { displayName: "Zoe From Code", groups: ["Staff"] } : undefined,
    };
    const result = await createStamper(testConfig(), { directory, clock: fixedClock }).stamp(
      alternativeMessage({ from: "zoe@example.com" }),
    );
    expect((await parse(result.message)).html).toContain("Zoe From Code");
  });

  it("removes a marker that does not verify and stamps the message", async () => {
    const config = testConfig({ options: { marker: { secret: "s3cret" } } });
    const raw = alternativeMessage({ extraHeaders: "X-Mailstamp: v=1; h=forged" });
    const result = await createStamper(config, { clock: fixedClock }).stamp(raw);
    expect(result.status).toBe("stamped");
    const out = decoder.decode(result.message);
    expect(out).not.toContain("h=forged");
    expect(out.match(/^X-Mailstamp:/gm)).toHaveLength(1);
    const again = await createStamper(config, { clock: fixedClock }).stamp(result.message);
    expect(again.reason).toBe("already-stamped");
  });

  it("does not trust a plain marker when a secret is configured", async () => {
    const withoutSecret = await createStamper(testConfig(), { clock: fixedClock }).stamp(
      alternativeMessage(),
    );
    const config = testConfig({ options: { marker: { secret: "s3cret" } } });
    const result = await createStamper(config, { clock: fixedClock }).stamp(withoutSecret.message);
    expect(result.reason).not.toBe("already-stamped");
  });

  it("adds a once-per-thread disclaimer only when the conversation does not already carry it", async () => {
    const stamper = createStamper(testConfig(), { clock: fixedClock });
    const first = await stamper.stamp(alternativeMessage({ to: "colleague@example.com" }));
    expect(first.stamps.map((s) => s.template)).toEqual(["legal"]);
    const quoted = (await parse(first.message)).html ?? "";
    const reply = [
      "From: alice@example.com",
      "To: colleague@example.com",
      "Subject: Re: Quarterly numbers",
      "Message-ID: <reply-1@example.com>",
      "MIME-Version: 1.0",
      "Content-Type: text/html; charset=utf-8",
      "",
      `<html><body><p>Thanks!</p><blockquote>${quoted.replace(/<\/?(html|body)>/g, "")}</blockquote></body></html>`,
      "",
    ].join("\r\n");
    const second = await stamper.stamp(reply);
    expect(second.status).toBe("skipped");
  });

  it.each([
    ["empty input", ""],
    ["binary noise", "\u0000\u0001\u0002\u00ff\r\n\r\n"],
    ["headers only", "From: alice@example.com\r\nTo: bob@partner.test\r\n"],
    [
      "broken multipart",
      'From: alice@example.com\r\nTo: bob@partner.test\r\nContent-Type: multipart/mixed; boundary="x"\r\n\r\n--x\r\n',
    ],
  ])("does not throw for %s", async (_name, raw) => {
    const result = await createStamper(testConfig(), { clock: fixedClock }).stamp(raw);
    expect(["stamped", "skipped"]).toContain(result.status);
    if (result.status === "skipped") expect(decoder.decode(result.message)).toBe(raw);
  });

  it("skips a message over maxMessageBytes with the limits reason", async () => {
    const config = testConfig({ options: { limits: { maxMessageBytes: 100 } } });
    const result = await createStamper(config).stamp(alternativeMessage());
    expect(result).toMatchObject({ status: "skipped", reason: "limits" });
  });
});

describe("createStamper().mark", () => {
  const config = testConfig({ options: { marker: { secret: "s3cret" } } });

  it("adds one verified marker line and changes no other byte", async () => {
    const stamper = createStamper(config, { clock: fixedClock });
    const raw = alternativeMessage({ from: "stranger@elsewhere.test", to: "alice@example.com" });
    const marked = decoder.decode(stamper.mark(raw));
    const [first, ...rest] = marked.split("\r\n");
    expect(first).toMatch(/^X-Mailstamp: v=1; h=/);
    expect(rest.join("\r\n")).toBe(raw);
    const again = await stamper.stamp(marked);
    expect(again.reason).toBe("already-stamped");
    expect(decoder.decode(stamper.mark(marked))).toBe(marked);
  });

  it("replaces a forged marker instead of keeping it beside the new one", () => {
    const stamper = createStamper(config);
    const raw = alternativeMessage({ extraHeaders: "X-Mailstamp: v=1; h=forged" });
    const marked = decoder.decode(stamper.mark(raw));
    expect(marked.match(/^X-Mailstamp:/gm)).toHaveLength(1);
    expect(marked).not.toContain("forged");
  });

  it("keeps an mbox From line first and follows bare LF line endings", () => {
    const stamper = createStamper(testConfig());
    const raw =
      "From alice@example.com Mon Nov  2 10:00:00 2026\nFrom: alice@example.com\nSubject: x\n\nbody\n";
    expect(decoder.decode(stamper.mark(raw))).toBe(
      "From alice@example.com Mon Nov  2 10:00:00 2026\nX-Mailstamp: v=1\nFrom: alice@example.com\nSubject: x\n\nbody\n",
    );
  });

  it("marks bytes that are not a message without throwing", () => {
    const stamper = createStamper(testConfig());
    expect(decoder.decode(stamper.mark("\u0000garbage"))).toBe("X-Mailstamp: v=1\r\n\u0000garbage");
  });
});

describe("createStamper().stamp on per-line base64 (#3 review)", () => {
  it("keeps the decoded text when each base64 line carries its own padding", async () => {
    const raw = [
      "From: Alice Example <alice@example.com>",
      "To: bob@partner.test",
      "Subject: per-line base64",
      "Message-ID: <b64-lines@example.com>",
      "MIME-Version: 1.0",
      "Content-Type: text/plain; charset=utf-8",
      "Content-Transfer-Encoding: base64",
      "",
      "SGVsbG8=",
      "IHdvcmxk",
      "",
    ].join("\r\n");
    const result = await createStamper(testConfig(), { clock: fixedClock }).stamp(raw);
    expect(result.status).toBe("stamped");
    const text = (await parse(result.message)).text ?? "";
    expect(text.startsWith("Hello world")).toBe(true);
    expect(text).toContain("Alice Example · Chief Financial Officer");
  });
});
