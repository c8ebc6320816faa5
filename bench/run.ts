/**
 * `npm run bench`: stamps each message of the deterministic corpus with a realistic config (warm render
 * cache) and parses the same bytes with postal-mime in the same run, so the ratio says what stamping costs
 * next to simply reading the message. Prints one table row per message, then the extra memory one stamp of
 * the 25 MB message holds.
 *
 * Run with `--expose-gc` (the npm script does) for a clean memory baseline.
 */
import { cpus } from "node:os";
import PostalMime from "postal-mime";
import { createStamper, type MailstampConfig } from "../src/index.js";
import { generateCorpus } from "./corpus.js";

const config: MailstampConfig = {
  organization: { name: "Example Corp", domains: ["example.com"] },
  directory: {
    users: [
      {
        mail: "alice@example.com",
        displayName: "Alice Example",
        jobTitle: "Chief Financial Officer",
        mobilePhone: "+1 415 555 0100",
        groups: ["Staff"],
      },
    ],
  },
  templates: {
    standard: {
      html: '<table style="font-family:Arial"><tr><td><b>{{ user.displayName }}</b><br>{{ user.jobTitle }}{% line %}<br>M {{ user.mobilePhone | phone }}{% endline %}</td></tr></table>',
    },
    legal: { html: '<p style="font-size:10px;color:#666">This message is confidential.</p>' },
  },
  rules: [
    { name: "Signature", when: { recipients: "external" }, stamps: [{ template: "standard" }] },
    { name: "Disclaimer", stamps: [{ template: "legal", placement: "bottom" }] },
  ],
};

const MIN_MS = Number(process.env.BENCH_MS ?? 1500);
const MIN_RUNS = 5;

async function rate(fn: () => Promise<unknown>): Promise<number> {
  for (let i = 0; i < 3; i++) await fn(); // warm-up: JIT, render cache
  let runs = 0;
  const start = performance.now();
  let elapsed = 0;
  while (elapsed < MIN_MS || runs < MIN_RUNS) {
    await fn();
    runs++;
    elapsed = performance.now() - start;
  }
  return (runs * 1000) / elapsed;
}

function fmt(n: number): string {
  return n >= 100 ? n.toFixed(0) : n >= 10 ? n.toFixed(1) : n.toFixed(2);
}

function size(bytes: number): string {
  return bytes >= 1 << 20 ? `${(bytes / (1 << 20)).toFixed(1)} MB` : `${(bytes / 1024).toFixed(1)} KB`;
}

function gc(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

const stamper = createStamper(config);
const envelope = { mailFrom: "alice@example.com", rcptTo: ["bob@partner.test"] };
const corpus = generateCorpus();

console.log(`mailstamp bench — node ${process.version}, ${cpus().length} CPUs, ${cpus()[0]?.model ?? "?"}`);
console.log("| message | size | stamps/s | postal-mime parse()/s | ratio |");
console.log("|---|---:|---:|---:|---:|");
for (const { name, bytes } of corpus) {
  const check = await stamper.stamp(bytes, { envelope });
  if (check.status !== "stamped")
    throw new Error(`${name}: ${check.status} ${check.reason ?? ""} ${check.detail ?? ""}`);
  gc();
  const stamps = await rate(() => stamper.stamp(bytes, { envelope }));
  gc();
  const parses = await rate(() => PostalMime.parse(bytes));
  console.log(
    `| ${name} | ${size(bytes.length)} | ${fmt(stamps)} | ${fmt(parses)} | ${fmt(stamps / parses)}× |`,
  );
}

const big = corpus.find((m) => m.name.startsWith("25 MB"));
if (big) {
  // Everything one stamp allocates and still holds right after it returns (the output included): with no
  // GC between, garbage made during the call is still counted, so this bounds the peak from above.
  const used = (): number => {
    const m = process.memoryUsage();
    return m.heapUsed + m.arrayBuffers;
  };
  gc();
  const before = used();
  const result = await stamper.stamp(big.bytes, { envelope });
  const extra = used() - before;
  console.log(
    `\n25 MB message: ${size(big.bytes.length)}; extra memory held by one stamp (output included): ${size(extra)} (${fmt(extra / big.bytes.length)}× the message)${result.status === "stamped" ? "" : " — not stamped!"}`,
  );
  if (!(globalThis as { gc?: unknown }).gc) console.log("(run with --expose-gc for a clean baseline)");
}
