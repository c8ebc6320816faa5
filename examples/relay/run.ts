/**
 * The example relay, end to end on this machine: the capture next hop on 127.0.0.1:2526 and the mailstamp
 * relay on 127.0.0.1:2525 (configured by examples/relay/mailstamp.config.yaml), until Ctrl-C.
 *
 *   npx tsx examples/relay/run.ts
 *   # then, from another terminal, send something, e.g. with swaks:
 *   swaks --server 127.0.0.1:2525 --from alice@example.com --to priya@northwind-traders.net
 *
 * Stamped messages land in out/relay/; the relay logs one JSON line per transaction; metrics are at
 * http://127.0.0.1:9464/metrics.
 */
import path from "node:path";
import { fileURLToPath } from "node:url";
import { loadConfig } from "../../src/index.js";
import { createJsonLogger, createRelay, relayOptionsFromConfig } from "../../src/adapters/smtp/index.js";
import { startCaptureNextHop } from "./capture-next-hop.js";

const here = path.dirname(fileURLToPath(import.meta.url));
const config = await loadConfig(path.join(here, "mailstamp.config.yaml"));
const options = relayOptionsFromConfig(config, { baseDir: here });
const hop = await startCaptureNextHop(
  options.upstream.port ?? 2526,
  path.resolve(here, "..", "..", "out", "relay"),
);
// The relay builds its stamper from the config: in its stamp worker thread (relay.stampWorkers: 1), and in this
// thread for marking. With Entra ID, pass `directory: createGraphDirectory(…)` from mailstamp/graph as well.
const relay = createRelay({ ...options, stamperConfig: config, logger: createJsonLogger() });
const address = await relay.listen();
process.stderr.write(
  `relay on ${address.host}:${address.port} → capture next hop on 127.0.0.1:${hop.port} (writes to ${hop.folder})\n` +
    (address.metrics ? `metrics: ${address.metrics.url}\n` : "") +
    "Ctrl-C stops both (the relay drains first).\n",
);
const stop = async (): Promise<void> => {
  await relay.close();
  await hop.close();
};
process.once("SIGINT", () => void stop());
process.once("SIGTERM", () => void stop());
