import { afterEach, describe, expect, it } from "vitest";
import { alternativeMessage } from "../../helpers/config.js";
import { connectSmtp } from "../../helpers/smtp-client.js";
import { startRelay, type TestRelay } from "../../helpers/smtp-relay.js";
import { startScriptedHop, type ScriptedHop } from "../../helpers/smtp-scripted-hop.js";

let hop: ScriptedHop | undefined;
let relay: TestRelay | undefined;
afterEach(async () => {
  await relay?.relay.close();
  await hop?.close();
  relay = undefined;
  hop = undefined;
});

const payload = `${alternativeMessage()}.\r\n`;

async function transaction(port: number, count: number) {
  const session = await connectSmtp(port);
  await session.command("EHLO client.test");
  const replies = [];
  for (let i = 0; i < count; i++) {
    const mail = await session.command("MAIL FROM:<alice@example.com>");
    const rcpt = await session.command("RCPT TO:<bob@partner.test>");
    const data = await session.command("DATA");
    replies.push({ mail, rcpt, data, end: data.code === 354 ? await session.data(payload) : undefined });
  }
  session.close();
  return replies;
}

describe("createRelay against next hops that misbehave around DATA", () => {
  it("resets the next hop after it refuses DATA, so the client's next message gets the hop's own verdict", async () => {
    let refused = false;
    hop = await startScriptedHop((command) => {
      if (command.toUpperCase() === "DATA" && !refused) {
        refused = true;
        return "451 4.3.0 try later";
      }
      return undefined;
    });
    relay = await startRelay(hop.port);
    const [first, second] = await transaction(relay.port, 2);
    expect(first?.end?.code).toBe(451);
    expect(second?.mail.code).toBe(250);
    expect(second?.end?.code).toBe(250);
    expect(hop.log).toContain("RSET");
    expect(hop.log.filter((l) => l === "<message>")).toHaveLength(1);
  });

  it("never answers 250 when the next hop answers DATA with 2xx instead of 354", async () => {
    hop = await startScriptedHop((command) =>
      command.toUpperCase() === "DATA" ? "250 2.0.0 sure" : undefined,
    );
    relay = await startRelay(hop.port);
    const [first] = await transaction(relay.port, 1);
    expect(first?.end?.code).toBeGreaterThanOrEqual(400);
    expect(first?.end?.code).toBeLessThan(500);
    expect(hop.log).not.toContain("<message>");
  });
});
