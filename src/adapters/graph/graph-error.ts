import { MailstampError, type MailstampErrorCode } from "../../index.js";

/**
 * The codes Graph failures carry: `DIRECTORY_FAILED` for lookups and tokens; `SEND_FAILED` when Graph refuses
 * or cannot take a submission; `MESSAGE_TOO_LARGE` when a message exceeds Graph's request size limit (a
 * transport can then fall back to SMTP instead of retrying).
 */
export type GraphErrorCode = Extract<
  MailstampErrorCode,
  "DIRECTORY_FAILED" | "SEND_FAILED" | "MESSAGE_TOO_LARGE" | "OPTIONS_INVALID"
>;

/** What Graph (or the token endpoint) answered, kept on a {@link GraphError} for logs and branching. */
export interface GraphErrorDetails {
  /** The HTTP status; 0 when no answer arrived (network error, timeout). */
  status: number;
  /**
   * Graph's error code (`Request_ResourceNotFound`, `Authorization_RequestDenied`, `TooManyRequests`), the
   * token endpoint's (`invalid_client`), or `NetworkError` / `Timeout` when nothing arrived. Branch on this,
   * never on the message: Microsoft rewords messages.
   */
  graphCode: string;
  /** `request-id` of the failed request, for a support case with Microsoft. */
  requestId?: string;
  /** What was asked: `GET /users/{id}`; never includes a token or secret. */
  request: string;
}

/**
 * A request to Microsoft Graph or Entra ID that failed after every retry the policy allows.
 *
 * @example
 * try { await directory.lookup("alice@contoso.com") } catch (err) {
 *   if (err instanceof GraphError && err.graphCode === "Authorization_RequestDenied") console.error("grant User.Read.All");
 * }
 * @throws never; it is what the Graph adapter throws.
 */
export class GraphError extends MailstampError {
  override name = "GraphError";
  readonly status: number;
  readonly graphCode: string;
  readonly requestId: string | undefined;
  readonly request: string;

  constructor(
    code: GraphErrorCode,
    message: string,
    details: GraphErrorDetails,
    options?: { cause?: unknown },
  ) {
    super(code, message, options);
    this.status = details.status;
    this.graphCode = details.graphCode;
    this.requestId = details.requestId;
    this.request = details.request;
  }
}
