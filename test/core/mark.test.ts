import { describe, expect, it } from "vitest";
import { createStamper } from "../../src/index.js";
import { testConfig } from "../helpers/config.js";

const message = (messageIdLines: string[], eol = "\r\n"): string =>
  ["From: dave@example.com", "To: erin@example.com", ...messageIdLines, "Subject: hi", "", "body", ""].join(
    eol,
  );

describe("stamper.mark on messages passed on unstamped", () => {
  it("writes a marker the stamper accepts, with a secret and a folded Message-ID", async () => {
    const stamper = createStamper(
      testConfig({ options: { marker: { header: "X-Stamped", secret: "s3cret" } } }),
    );
    const marked = stamper.mark(message(["Message-ID:", " <folded@example.com>"]));
    expect(Buffer.from(marked).toString()).toMatch(/^X-Stamped: v=1; h=/);
    expect(await stamper.stamp(marked)).toMatchObject({ status: "skipped", reason: "already-stamped" });
  });

  it("binds the HMAC to the Message-ID, so a marker copied to another message does not verify", async () => {
    const stamper = createStamper(testConfig({ options: { marker: { secret: "s3cret" } } }));
    const marked = Buffer.from(stamper.mark(message(["Message-ID: <one@example.com>"]))).toString();
    const header = marked.slice(0, marked.indexOf("\r\n") + 2);
    const other = `${header}${message(["Message-ID: <two@example.com>"]).replace("To: erin@example.com", "To: bob@partner.test")}`;
    expect((await stamper.stamp(other)).status).toBe("stamped");
  });

  it("follows the message's own line ending", () => {
    const marked = createStamper(testConfig()).mark(message(["Message-ID: <lf@example.com>"], "\n"));
    expect(Buffer.from(marked).toString().startsWith("X-Mailstamp: v=1\nFrom:")).toBe(true);
  });

  it("ignores a Message-ID line in the body", async () => {
    const stamper = createStamper(testConfig({ options: { marker: { secret: "s3cret" } } }));
    const noId = "From: dave@example.com\r\nSubject: x\r\n\r\nMessage-ID: <body@example.com>\r\n";
    const marked = stamper.mark(noId);
    expect((await stamper.stamp(marked)).reason).toBe("already-stamped");
    const withBodyId = Buffer.from(stamper.mark(noId)).toString();
    const forged = withBodyId.replace("Subject: x", "Message-ID: <body@example.com>\r\nSubject: x");
    expect((await stamper.stamp(forged)).reason).not.toBe("already-stamped");
  });
});
