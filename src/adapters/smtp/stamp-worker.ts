/**
 * The entry of a stamp worker (`stampWorkers` > 0): builds its own stamper from the config it is started with,
 * then stamps the messages the relay sends it and answers in the order they came. Message bytes travel as
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
  const remote: Directory = {
    lookup: (address) =>
      new Promise<DirectoryUser | undefined>((resolve, reject) => {
        const lookupId = nextLookup++;
        pending.set(lookupId, { resolve, reject });
        port.postMessage({ lookup: { lookupId, address } } satisfies _StampResponse);
      }),
  };
  const stamper = createStamper(data.config, data.remoteDirectory ? { directory: remote } : {});

  /** Stamps one message; the answer to send back, never a rejection. */
  const stampOne = async (
    request: _StampRequest,
  ): Promise<{ response: _StampResponse; transfer: ArrayBuffer[] }> => {
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

  // Each message is stamped as soon as it comes, so a stamp waiting for a sender lookup does not leave the
  // worker idle; the answers go back strictly in the order the messages came, which is how the relay matches
  // them (and the relay sends only a few ahead).
  let answered: Promise<void> = Promise.resolve();
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
    const outcome = stampOne(incoming);
    answered = answered.then(async () => {
      const { response, transfer } = await outcome;
      port.postMessage(response, transfer);
    });
  });
  port.postMessage({ ready: true } satisfies _StampResponse);
}
