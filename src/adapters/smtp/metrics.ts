/** The relay's counters, and their Prometheus text exposition on an optional HTTP port. */
import http from "node:http";
import type { AddressInfo } from "node:net";

/** Outcome of one transaction, as counted and logged. */
export type TransactionOutcome =
  | "stamped"
  | "skipped"
  | "passed-on-error"
  | "rejected"
  | "tempfail"
  | "refused-by-next-hop"
  | "next-hop-failed"
  | "too-large"
  | "aborted";

/** A snapshot of the counters (what `/metrics` shows). */
export interface RelayMetricsSnapshot {
  connectionsTotal: number;
  connectionsActive: number;
  connectionsRefused: number;
  authFailures: number;
  transactions: Partial<Record<TransactionOutcome, number>>;
  skipped: Record<string, number>;
  recipients: { accepted: number; refused: number; failed: number };
  bytesReceived: number;
  bytesSent: number;
  stampErrors: number;
  /** Stamp workers terminated (a stamp past stampTimeoutMs) or lost (crashed) and started anew. */
  stampWorkersReplaced: number;
  upstreamConnects: number;
  upstreamErrors: number;
  transactionSecondsSum: number;
  transactionSecondsCount: number;
}

/** Mutable counters; the relay owns one. */
export class RelayMetrics {
  readonly data: RelayMetricsSnapshot = {
    connectionsTotal: 0,
    connectionsActive: 0,
    connectionsRefused: 0,
    authFailures: 0,
    transactions: {},
    skipped: {},
    recipients: { accepted: 0, refused: 0, failed: 0 },
    bytesReceived: 0,
    bytesSent: 0,
    stampErrors: 0,
    stampWorkersReplaced: 0,
    upstreamConnects: 0,
    upstreamErrors: 0,
    transactionSecondsSum: 0,
    transactionSecondsCount: 0,
  };

  transaction(outcome: TransactionOutcome, seconds: number, skipReason?: string): void {
    this.data.transactions[outcome] = (this.data.transactions[outcome] ?? 0) + 1;
    if (skipReason) this.data.skipped[skipReason] = (this.data.skipped[skipReason] ?? 0) + 1;
    this.data.transactionSecondsSum += seconds;
    this.data.transactionSecondsCount += 1;
  }

  snapshot(): RelayMetricsSnapshot {
    return structuredClone(this.data);
  }

  /** The Prometheus text exposition format, version 0.0.4. */
  render(): string {
    const d = this.data;
    const out: string[] = [];
    const metric = (name: string, type: string, help: string, samples: Array<[string, number]>): void => {
      out.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
      for (const [labels, value] of samples) out.push(`${name}${labels} ${value}`);
    };
    const label = (key: string, value: string): string => `{${key}="${value.replace(/[\\"\n]/g, "_")}"}`;
    metric("mailstamp_relay_connections_total", "counter", "Client connections accepted.", [
      ["", d.connectionsTotal],
    ]);
    metric("mailstamp_relay_connections_active", "gauge", "Client connections open now.", [
      ["", d.connectionsActive],
    ]);
    metric(
      "mailstamp_relay_connections_refused_total",
      "counter",
      "Client connections refused (not in allow.networks, shutting down).",
      [["", d.connectionsRefused]],
    );
    metric("mailstamp_relay_auth_failures_total", "counter", "Failed AUTH attempts.", [["", d.authFailures]]);
    metric(
      "mailstamp_relay_transactions_total",
      "counter",
      "Transactions by outcome.",
      Object.entries(d.transactions).map(([k, v]) => [label("outcome", k), v]),
    );
    metric(
      "mailstamp_relay_skipped_total",
      "counter",
      "Messages passed on unstamped, by reason.",
      Object.entries(d.skipped).map(([k, v]) => [label("reason", k), v]),
    );
    metric("mailstamp_relay_recipients_total", "counter", "RCPT TO verdicts of the next hop.", [
      [label("verdict", "accepted"), d.recipients.accepted],
      [label("verdict", "refused"), d.recipients.refused],
      [label("verdict", "failed"), d.recipients.failed],
    ]);
    metric("mailstamp_relay_received_bytes_total", "counter", "Message bytes received from clients.", [
      ["", d.bytesReceived],
    ]);
    metric("mailstamp_relay_sent_bytes_total", "counter", "Message bytes accepted by the next hop.", [
      ["", d.bytesSent],
    ]);
    metric(
      "mailstamp_relay_stamp_errors_total",
      "counter",
      "Stamping failures and timeouts (onError applied).",
      [["", d.stampErrors]],
    );
    metric(
      "mailstamp_relay_stamp_workers_replaced_total",
      "counter",
      "Stamp workers terminated for a stamp past stampTimeoutMs, or lost, and started anew.",
      [["", d.stampWorkersReplaced]],
    );
    metric("mailstamp_relay_upstream_connects_total", "counter", "Connections opened to the next hop.", [
      ["", d.upstreamConnects],
    ]);
    metric(
      "mailstamp_relay_upstream_errors_total",
      "counter",
      "Next hop unreachable, timed out or dropped the connection.",
      [["", d.upstreamErrors]],
    );
    metric("mailstamp_relay_transaction_seconds", "summary", "Time from MAIL FROM to the final reply.", [
      ["_sum", d.transactionSecondsSum],
      ["_count", d.transactionSecondsCount],
    ]);
    return `${out.join("\n")}\n`;
  }
}

/** Serves `GET /metrics`; anything else is 404. */
export function _serveMetrics(
  metrics: RelayMetrics,
  host: string,
  port: number,
): Promise<{ server: http.Server; address: AddressInfo }> {
  const server = http.createServer((req, res) => {
    if (req.method === "GET" && (req.url === "/metrics" || req.url?.startsWith("/metrics?"))) {
      res.writeHead(200, { "content-type": "text/plain; version=0.0.4; charset=utf-8" });
      res.end(metrics.render());
      return;
    }
    res.writeHead(404, { "content-type": "text/plain" });
    res.end("not found\n");
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve({ server, address: server.address() as AddressInfo });
    });
  });
}
