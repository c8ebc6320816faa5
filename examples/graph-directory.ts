/**
 * Look senders up in Entra ID and stamp a message with their details.
 *
 *   GRAPH_TENANT_ID=… GRAPH_CLIENT_ID=… GRAPH_CLIENT_SECRET=… npx tsx examples/graph-directory.ts adele@contoso.com
 *
 * The app registration needs the application permissions User.Read.All and GroupMember.Read.All (docs/graph.md).
 */
import { createGraphDirectory } from "../src/adapters/graph/index.js";
import { createStamper, defineConfig } from "../src/index.js";

const [address = "adele@contoso.com"] = process.argv.slice(2);
const env = (name: string): string => {
  const value = process.env[name];
  if (!value) throw new Error(`set ${name}`);
  return value;
};

const directory = createGraphDirectory({
  tenantId: env("GRAPH_TENANT_ID"),
  clientId: env("GRAPH_CLIENT_ID"),
  clientSecret: env("GRAPH_CLIENT_SECRET"),
  manager: true,
  logger: { warn: (message, data) => console.warn(message, data) },
});

const user = await directory.lookup(address);
if (!user) {
  console.log(`${address} is not in the directory`);
  process.exit(0);
}
const { photo: _photo, ...printable } = user;
console.log(printable);

const stamper = createStamper(
  defineConfig({
    organization: { domains: [address.split("@")[1] ?? "contoso.com"] },
    templates: {
      signature: {
        html: "<p><b>{{ user.displayName }}</b><br>{{ user.jobTitle }}{% line %}, {{ user.department }}{% endline %}{% line %}<br>T {{ user.businessPhones | first }}{% endline %}</p>",
      },
    },
    rules: [{ name: "Signature", when: { recipients: "external" }, stamps: [{ template: "signature" }] }],
  }),
  { directory },
);
const result = await stamper.stamp(
  [
    `From: <${address}>`,
    "To: <partner@fabrikam.example>",
    "Subject: Hello",
    "Message-ID: <example@mailstamp>",
    "",
    "Hello!",
    "",
  ].join("\r\n"),
);
console.log(`\n${result.status}:\n${new TextDecoder().decode(result.message)}`);
