/**
 * createGraphSender(): submits a stamped MIME message through Microsoft Graph `sendMail` (graph-api.md §8),
 * for hosts that take mail out of the flow and must put it back without an SMTP smart host.
 */
import { assertOptions, checkConnection, connect, type GraphConnectionOptions } from "./connection.js";
import { GraphError } from "./graph-error.js";

/** Options of {@link createGraphSender}. */
export interface GraphSenderOptions extends GraphConnectionOptions {
  /**
   * The largest request Graph takes. Graph refuses requests over about 4 MB with 413, and base64 adds a third,
   * so raw MIME must stay under about 3 MB. @default 4194304
   */
  maxRequestBytes?: number;
  /**
   * The processed-marker header the message must carry (the stamper's `options.marker.header`). Mail sent
   * through Graph passes the tenant's transport rules again; without the marker, the routing rule that sent
   * it to mailstamp would catch it once more and loop. `false` skips the check. @default "X-Mailstamp"
   */
  markerHeader?: string | false;
}

/** Where a message goes. */
export interface GraphSendOptions {
  /** The mailbox that sends (its id or UPN); needs the `Mail.Send` application permission for it. */
  mailbox: string;
}

/** Submits messages through Graph. */
export interface GraphSender {
  /**
   * Sends `message` (RFC 5322 bytes, as `stamp()` returned them) from `mailbox`. Resolves when Graph
   * accepted it (202: accepted for delivery, not yet delivered). Graph always saves MIME submissions to Sent
   * Items; there is no switch for it.
   */
  send(message: Uint8Array | string, options: GraphSendOptions): Promise<void>;
}

const encoder = new TextEncoder();

/** True when the header block (up to the first empty line) has a field with this name (RFC 5322 §2.2). */
function hasHeader(bytes: Uint8Array, name: string): boolean {
  // Headers are ASCII (RFC 5322 §2.2); latin1 keeps byte offsets and never throws on 8-bit garbage.
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, Math.min(bytes.byteLength, 256 * 1024)).toString(
    "latin1",
  );
  const end = text.search(/\r?\n\r?\n/);
  const head = end === -1 ? text : text.slice(0, end);
  const escaped = name.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  return new RegExp(`^${escaped}[ \\t]*:`, "im").test(head);
}

/**
 * Creates a sender that submits MIME through `POST /users/{mailbox}/sendMail` (body: base64, `text/plain`),
 * with the same token handling and retries as the Graph directory.
 *
 * @example
 * const sender = createGraphSender({ tenantId, clientId, clientSecret });
 * const result = await stamper.stamp(raw);
 * await sender.send(result.message, { mailbox: "alice@contoso.com" });
 * @throws MailstampError `OPTIONS_INVALID` for bad options. `send()` throws {@link GraphError}:
 * `MESSAGE_TOO_LARGE` over `maxRequestBytes` or when Graph answers 413 (send such mail over SMTP);
 * `SEND_FAILED` with Graph's `graphCode` (`ErrorAccessDenied`, `ErrorMimeContentInvalidBase64String`, …)
 * when Graph refuses; `OPTIONS_INVALID` when the message lacks the marker header.
 */
export function createGraphSender(options: GraphSenderOptions): GraphSender {
  const problems = checkConnection(options);
  const maxRequestBytes = options.maxRequestBytes ?? 4 * 1024 * 1024;
  if (!Number.isSafeInteger(maxRequestBytes) || maxRequestBytes <= 0) {
    problems.push("maxRequestBytes: expected a positive integer");
  }
  const marker = options.markerHeader ?? "X-Mailstamp";
  if (marker !== false && !/^[!-9;-~]+$/.test(marker))
    problems.push("markerHeader: expected a header field name");
  assertOptions("createGraphSender", problems);
  const { client } = connect(options, "SEND_FAILED");

  async function send(message: Uint8Array | string, sendOptions: GraphSendOptions): Promise<void> {
    const bytes = typeof message === "string" ? encoder.encode(message) : message;
    const mailbox = sendOptions?.mailbox?.trim() ?? "";
    const request = `POST /users/${mailbox}/sendMail`;
    if (mailbox === "") {
      throw new GraphError("OPTIONS_INVALID", "sendMail needs the sending mailbox", {
        status: 0,
        graphCode: "NoMailbox",
        request,
      });
    }
    if (marker !== false && !hasHeader(bytes, marker)) {
      throw new GraphError(
        "OPTIONS_INVALID",
        `the message has no ${marker} header: submit the stamper's output, or the routing rule would send it back to mailstamp`,
        { status: 0, graphCode: "NoMarker", request },
      );
    }
    const encodedLength = 4 * Math.ceil(bytes.byteLength / 3);
    const tooLarge = (detail: string): GraphError =>
      new GraphError(
        "MESSAGE_TOO_LARGE",
        `message of ${bytes.byteLength} bytes is ${detail} Graph's sendMail request limit of ${maxRequestBytes} bytes ` +
          `(base64 adds a third: about ${Math.floor((maxRequestBytes * 3) / 4)} bytes of MIME); send it over SMTP`,
        { status: 413, graphCode: "RequestEntityTooLarge", request },
      );
    if (encodedLength > maxRequestBytes) throw tooLarge(`${encodedLength} bytes as base64, over`);
    const reply = await client.request({
      method: "POST",
      url: `/users/${encodeURIComponent(mailbox).replace(/%40/g, "@")}/sendMail`,
      headers: { "content-type": "text/plain" },
      body: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("base64"),
      expect: [413],
      idempotent: false,
    });
    if (reply.status === 413) throw tooLarge("refused by Graph with 413 under");
  }

  return { send };
}
