/**
 * The entry of a stamp worker (`stampWorkers` > 0): builds its own stamper from the config it is started with,
 * then stamps the messages the relay sends it, one at a time. Message bytes travel as transferred
 * ArrayBuffers both ways; an error comes back as its name, code and message.
 */
import { parentPort, workerData } from "node:worker_threads";
import { createStamper, isMailstampError, type ResolvedConfig, type StampResult } from "../../index.js";
import { _ownsBuffer, type _StampRequest, type _StampResponse } from "./_stamp-pool.js";

/** A view that owns its whole ArrayBuffer, so transferring it moves exactly these bytes. */
function owned(bytes: Uint8Array): Uint8Array {
  return _ownsBuffer(bytes) ? bytes : new Uint8Array(bytes);
}

const port = parentPort;
if (port) {
  const stamper = createStamper((workerData as { config: ResolvedConfig }).config);
  port.on("message", (request: _StampRequest) => {
    void stamper.stamp(new Uint8Array(request.message), { envelope: request.envelope }).then(
      (result: StampResult) => {
        const message = owned(result.message);
        const response: _StampResponse = { id: request.id, result: { ...result, message } };
        port.postMessage(response, [message.buffer as ArrayBuffer]);
      },
      (err: unknown) => {
        const response: _StampResponse = {
          id: request.id,
          error: {
            name: err instanceof Error ? err.name : "Error",
            message: err instanceof Error ? err.message : String(err),
            ...(isMailstampError(err) ? { code: err.code } : {}),
          },
        };
        port.postMessage(response);
      },
    );
  });
  port.postMessage({ ready: true } satisfies _StampResponse);
}
