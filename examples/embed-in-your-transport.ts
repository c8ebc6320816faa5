/**
 * Embedding the mailstamp core in your own transport.
 *
 * A host product (a mail gateway, an outbound queue, a sending API) already has the raw message and the SMTP
 * envelope in hand. It creates one stamper at startup and calls `stamp()` for each outgoing message, then hands
 * `result.message` to its own delivery code. Here the "delivery" writes the bytes to out/embed/.
 *
 * Run:  npx tsx examples/embed-in-your-transport.ts [MESSAGE.eml]
 *       (default: examples/messages/03-gmail-reply.eml)
 */
import { mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { createStamper, defineConfig, isMailstampError } from "../src/index.js";
import type { Directory, DirectoryUser, StampResult } from "../src/index.js";

const examplesDir = path.dirname(fileURLToPath(import.meta.url));

// 1. The config, in code. defineConfig only adds types; createStamper validates it and throws one ConfigError
//    listing every problem, so a broken config stops the host at startup, not on the first message.
const config = defineConfig({
  organization: { name: "Example Corp", domains: ["example.com", "*.example.org"] },
  templates: {
    signature: {
      html: `<p style="font-family: Arial, sans-serif; font-size: 13px">
<b>{{ user.displayName | default: sender.address }}</b>{% line %}<br>{{ user.jobTitle }}{% endline %}
{% line %}<br>T <a href="{{ user.phone | tel }}">{{ user.phone | phone }}</a>{% endline %}</p>`,
    },
  },
  rules: [
    {
      name: "Signature for external mail",
      when: { recipients: "external" },
      stamps: [{ template: "signature" }],
    },
  ],
});

// 2. Sender details from the host's own user store: any object with `lookup(address)` is a Directory.
const users = new Map<string, DirectoryUser>([
  [
    "bob@example.com",
    {
      displayName: "Bob Stone",
      jobTitle: "Senior Account Executive",
      phone: "+1 202 555 0142",
      groups: ["Sales"],
    },
  ],
]);
const directory: Directory = { lookup: async (address) => users.get(address.toLowerCase()) };

const stamper = createStamper(config, { directory });

/** Your transport's delivery step; in a real host this is the SMTP client or the queue. */
async function deliver(
  envelope: { mailFrom: string; rcptTo: string[] },
  message: Uint8Array,
): Promise<string> {
  const outDir = path.resolve(examplesDir, "..", "out", "embed");
  await mkdir(outDir, { recursive: true });
  const file = path.join(outDir, `message-${Date.now()}.eml`);
  await writeFile(file, message);
  return `${path.relative(process.cwd(), file)} (${message.byteLength} bytes, to ${envelope.rcptTo.join(", ")})`;
}

// 3. The hook the transport calls for every outgoing message.
async function onOutgoingMessage(
  raw: Uint8Array,
  envelope: { mailFrom: string; rcptTo: string[] },
): Promise<void> {
  let result: StampResult | undefined;
  try {
    // The envelope wins over the headers: Bcc recipients exist only there.
    result = await stamper.stamp(raw, { envelope });
  } catch (err) {
    // stamp() never throws because of the message's bytes; it throws only when the setup fails (the directory
    // is down, a template cannot render). Mail must keep flowing: pass the original on and alert someone.
    console.error(
      "stamping failed, passing the original on:",
      isMailstampError(err) ? `${err.code} ${err.message}` : err,
    );
  }

  if (result?.status === "rejected") {
    // `protected: reject` in the config: refuse instead of sending signed/encrypted mail without the disclaimer.
    console.log(`rejected: ${result.reason} (${result.detail ?? ""})`);
    return;
  }
  const where = await deliver(envelope, result?.message ?? raw);
  console.log(
    result?.status === "stamped"
      ? `stamped (${result.stamps.map((s) => `${s.template}@${s.placement}`).join(", ")}) → ${where}`
      : `${result?.status ?? "passed on"}${result?.reason ? `: ${result.reason}` : ""} → ${where}`,
  );
}

const file = process.argv[2] ?? path.join(examplesDir, "messages", "03-gmail-reply.eml");
const raw = new Uint8Array(await readFile(file));
await onOutgoingMessage(raw, { mailFrom: "bob@example.com", rcptTo: ["jordan.lee@contoso-outdoor.com"] });
