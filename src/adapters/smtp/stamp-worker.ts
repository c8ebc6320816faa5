/**
 * The entry of a stamp worker (`stampWorkers` > 0): builds its own stamper from the config it is started with,
 * then stamps the messages the relay sends it, one at a time, in the order they came. Message bytes travel as
 * transferred ArrayBuffers both ways; an error comes back as its name, code and message. With a relay
 * directory, each sender lookup is a question to the relay's thread, which answers from its directory.
 */
import { parentPort, workerData } from "node:worker_threads";
import { createStamper, type Directory, type DirectoryUser, type StampResult } from "../../index.js";
import {
  _fromWorkerError,
  _ownsBuffer,
  _toWorkerError,
  type _LookupAnswer,
  type _SenderHint,
  type _StampRequest,
  type _StampResponse,
  type _ToWorker,
  type _WorkerData,
} from "./_stamp-pool.js";

/** A view that owns its whole ArrayBuffer, so transferring it moves exactly these bytes. */
function owned(bytes: Uint8Array): Uint8Array {
  return _ownsBuffer(bytes) ? bytes : new Uint8Array(bytes);
}

const port = parentPort;
if (port) {
  const data = workerData as _WorkerData;
  const pending = new Map<number, { resolve(user?: DirectoryUser): void; reject(err: Error): void }>();
  let nextLookup = 1;
  /** The message being stamped, and the relay's lookup of its envelope sender when it sent one. */
  let current = 0;
  let hint: _SenderHint | undefined;
  const remote: Directory = {
    lookup: (address) => {
      if (hint && hint.address.toLowerCase() === address.toLowerCase()) return Promise.resolve(hint.user);
      return new Promise<DirectoryUser | undefined>((resolve, reject) => {
        const lookupId = nextLookup++;
        pending.set(lookupId, { resolve, reject });
        port.postMessage({ lookup: { lookupId, address, id: current } } satisfies _StampResponse);
      });
    },
  };
  const stamper = createStamper(data.config, data.remoteDirectory ? { directory: remote } : {});

  /** Stamps one message; the answer to send back, never a rejection. */
  const stampOne = async (
    request: _StampRequest,
  ): Promise<{ response: _StampResponse; transfer: ArrayBuffer[] }> => {
    current = request.id;
    hint = request.hint;
    try {
      const result: StampResult = await stamper.stamp(new Uint8Array(request.message), {
        envelope: request.envelope,
      });
      const message = owned(result.message);
      return {
        response: { id: request.id, result: { ...result, message } },
        transfer: [message.buffer as ArrayBuffer],
      };
    } catch (err) {
      return { response: { id: request.id, error: _toWorkerError(err) }, transfer: [] };
    }
  };

  // One stamp at a time, in the order the messages came: the relay matches answers by order and times the
  // oldest message, so a stamp that runs away is the one that pays for it — never one queued before it that
  // was waiting for a lookup. (The relay's lookup of the envelope sender, sent along, spares most waits.)
  let queue: Promise<void> = Promise.resolve();
  port.on("message", (incoming: _ToWorker) => {
    if ("lookupId" in incoming) {
      const answer: _LookupAnswer = incoming;
      const waiting = pending.get(answer.lookupId);
      if (!waiting) return;
      pending.delete(answer.lookupId);
      if (answer.error) waiting.reject(_fromWorkerError(answer.error));
      else waiting.resolve(answer.user);
      return;
    }
    queue = queue.then(async () => {
      const { response, transfer } = await stampOne(incoming);
      port.postMessage(response, transfer);
    });
  });
  port.postMessage({ ready: true } satisfies _StampResponse);
}
