/**
 * The stamp worker pool behind `stampWorkers`: N `node:worker_threads` workers, each with its own stamper
 * built from the config, so stamping runs beside the event loop instead of on it. A worker that does not answer
 * within the timeout is terminated (which also stops a synchronous runaway) and replaced.
 */
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { Worker } from "node:worker_threads";
import {
  isMailstampError,
  MailstampError,
  type Directory,
  type DirectoryUser,
  type MailstampErrorCode,
  type ResolvedConfig,
  type StampOptions,
  type StampResult,
} from "../../index.js";

/** A message for a worker; `message` is transferred. */
export interface _StampRequest {
  id: number;
  message: ArrayBuffer;
  envelope: NonNullable<StampOptions["envelope"]>;
  /** A lookup the relay already made (of the envelope sender): the worker uses it instead of asking. */
  hint?: _SenderHint;
}

/** The relay directory's answer for one address, looked up ahead of the stamp. */
export interface _SenderHint {
  address: string;
  user?: DirectoryUser;
}

/** The answer to a worker's directory lookup (`_StampResponse.lookup`), from the relay's own directory. */
export interface _LookupAnswer {
  lookupId: number;
  user?: DirectoryUser;
  error?: _WorkerError;
}

/** What goes to a worker: a message to stamp, or the answer to one of its directory lookups. */
export type _ToWorker = _StampRequest | _LookupAnswer;

/** An error as it crosses between threads. */
export interface _WorkerError {
  name: string;
  message: string;
  code?: MailstampErrorCode;
}

/**
 * What a worker sends: `ready` once its stamper is built, then one `result` or `error` per request — and, with
 * a relay directory, `lookup` whenever a stamp needs a sender looked up.
 */
export interface _StampResponse {
  id?: number;
  ready?: true;
  result?: StampResult;
  error?: _WorkerError;
  /** A sender lookup for the stamp of message `id`. */
  lookup?: { lookupId: number; address: string; id: number };
}

/** What a worker is started with. */
export interface _WorkerData {
  config: ResolvedConfig;
  /** Senders are looked up through the relay's directory (in the main thread), not the config's users. */
  remoteDirectory: boolean;
}

/** Any thrown value as a {@link _WorkerError}. */
export function _toWorkerError(err: unknown): _WorkerError {
  return {
    name: err instanceof Error ? err.name : "Error",
    message: err instanceof Error ? err.message : String(err),
    ...(isMailstampError(err) ? { code: err.code } : {}),
  };
}

/**
 * True when the view is the whole of a plain ArrayBuffer, so transferring it moves exactly these bytes (a small
 * Buffer is a slice of Node's shared pool, which must never be transferred).
 */
export function _ownsBuffer(bytes: Uint8Array): boolean {
  return (
    bytes.byteOffset === 0 &&
    bytes.byteLength === bytes.buffer.byteLength &&
    !(bytes.buffer instanceof SharedArrayBuffer)
  );
}

/** Raised when a worker did not answer within the timeout. */
export class _StampWorkerTimeout extends Error {}

interface Task {
  id: number;
  /** The message bytes; empty once they were moved to a worker (`again` gives them anew). */
  message: Uint8Array;
  /** Gives the message bytes again: with it, the bytes are moved to a worker instead of copied. */
  again?: () => Uint8Array;
  /** The bytes went to a worker without a copy: sending the task once more needs `again`. */
  moved: boolean;
  envelope: _StampRequest["envelope"];
  hint?: _SenderHint;
  resolve(result: StampResult): void;
  reject(err: Error): void;
}

/** Options for {@link _StampPool.stamp}. */
export interface _StampTaskOptions {
  /**
   * Gives the message bytes again (e.g. from the received chunks). With it a message that is the whole of its
   * ArrayBuffer is moved to the worker without a copy (the caller's view is left empty), and a message sent
   * once more — its worker was replaced while it waited — is rebuilt with it.
   */
  again?: () => Uint8Array;
  hint?: _SenderHint;
}

interface Slot {
  worker: Worker;
  ready: boolean;
  /**
   * Lookups the worker asked this thread for and has no answer to yet, with the message each is for. While
   * there is one, the worker is not running anything: its one stamp waits for this thread.
   */
  lookups: Map<number, number>;
  /** Sent and not answered yet, oldest first; the worker stamps them one after the other. */
  tasks: Task[];
  /** The timeout of the oldest task. */
  timer?: NodeJS.Timeout;
}

/**
 * Messages sent ahead to a worker: the next one is already in its queue when it finishes one, so it does not
 * sit idle while the event loop gets round to its answer and the next message.
 */
const PIPELINE = 4;

/**
 * Where the worker entry is: `stamp-worker.js` next to this code in the build (dist), or the TypeScript source
 * under tsx / vitest, which then runs with tsx's loader.
 */
function _workerEntry(): { url: URL | string; eval?: boolean } {
  // import.meta.url is empty in the CommonJS build; __filename is defined there instead.
  const here =
    typeof import.meta.url === "string" && import.meta.url
      ? import.meta.url
      : pathToFileURL(typeof __filename === "string" ? __filename : join(process.cwd(), "index.js")).href;
  const built = new URL("./stamp-worker.js", here);
  if (existsSync(fileURLToPath(built))) return { url: built };
  const source = new URL("./stamp-worker.ts", here);
  if (existsSync(fileURLToPath(source))) {
    // A worker does not inherit the parent's loader: register tsx in it, then load the source.
    // (tsx's ESM API; the `tsx/esm/api` export resolves to its CommonJS build from here).
    const tsxDir = dirname(createRequire(here).resolve("tsx/package.json"));
    const api = pathToFileURL(join(tsxDir, "dist", "esm", "api", "index.mjs")).href;
    const code = `import(${JSON.stringify(api)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(source.href)}); });`;
    return { url: code, eval: true };
  }
  throw new MailstampError(
    "OPTIONS_INVALID",
    `stampWorkers: the worker entry stamp-worker.js was not found in ${dirname(fileURLToPath(built))}`,
  );
}

/** A {@link _WorkerError} as an Error again, on the other side. */
export function _fromWorkerError(error: _WorkerError): Error {
  const err = error.code ? new MailstampError(error.code, error.message) : new Error(error.message);
  err.name = error.name;
  return err;
}

/** A pool of stamp workers; `start()` spawns them, `stamp()` queues a message, `close()` terminates them. */
export class _StampPool {
  private readonly slots: Slot[] = [];
  private readonly queue: Task[] = [];
  private nextId = 1;
  private closed = false;
  private readonly entry: { url: URL | string; eval?: boolean };

  /** @throws MailstampError (`OPTIONS_INVALID`) when the worker entry cannot be found. */
  constructor(
    private readonly size: number,
    private readonly config: ResolvedConfig,
    private readonly timeoutMs: number,
    /**
     * The directory the workers' stampers ask (their lookups come here, so one cache serves every worker);
     * without it each worker uses the config's static `directory.users`.
     */
    private readonly directory?: Directory,
    /** Called each time a worker is terminated or lost and another started in its place (for metrics). */
    private readonly replaced?: () => void,
  ) {
    this.entry = _workerEntry();
  }

  /** Spawns the workers (again, after some were lost while starting). */
  start(): void {
    while (!this.closed && this.slots.length < this.size) this.spawn();
  }

  private spawn(): void {
    const entry = this.entry;
    const data: _WorkerData = { config: this.config, remoteDirectory: this.directory !== undefined };
    const worker = new Worker(entry.url, {
      workerData: data,
      ...(entry.eval ? { eval: true } : {}),
    });
    // Workers never keep the process alive: a message being stamped always has its client connection open.
    worker.unref();
    const slot: Slot = { worker, ready: false, lookups: new Map(), tasks: [] };
    this.slots.push(slot);
    worker.on("message", (response: _StampResponse) => {
      if (response.lookup) return this.answerLookup(slot, response.lookup);
      if (response.ready) {
        slot.ready = true;
        return this.dispatch();
      }
      const task = slot.tasks[0];
      if (!task || task.id !== response.id) return;
      slot.tasks.shift();
      clearTimeout(slot.timer);
      this.arm(slot);
      if (response.error) task.reject(_fromWorkerError(response.error));
      else if (response.result) task.resolve(response.result);
      else task.reject(new Error("stamp worker answered without a result"));
      this.dispatch();
    });
    worker.on("error", (err: Error) => this.lost(slot, err));
    worker.on("exit", (code) => this.lost(slot, new Error(`stamp worker exited with code ${code}`)));
  }

  /**
   * Looks a sender up for a worker, in this thread's directory, and sends the answer back. A worker that was
   * terminated meanwhile (its stamp timed out) gets nothing; its message has already gone the onError way.
   */
  private answerLookup(slot: Slot, lookup: NonNullable<_StampResponse["lookup"]>): void {
    const { worker } = slot;
    const { lookupId, address, id } = lookup;
    slot.lookups.set(lookupId, id);
    const send = (answer: _LookupAnswer): void => {
      // Answered already when the stamp waiting for it timed out (see arm()).
      if (!slot.lookups.delete(lookupId)) return;
      try {
        worker.postMessage(answer);
      } catch (err) {
        // A user record that cannot cross threads (a custom directory's class instance, a function): the
        // stamp fails with DIRECTORY_FAILED rather than waiting for its timeout.
        try {
          worker.postMessage({ lookupId, error: _toWorkerError(err) } satisfies _LookupAnswer);
        } catch {
          // the worker is gone
        }
      }
    };
    const directory = this.directory;
    if (!directory) {
      send({
        lookupId,
        error: _toWorkerError(new Error("the relay has no directory for the stamp workers")),
      });
      return;
    }
    Promise.resolve()
      .then(() => directory.lookup(address))
      .then(
        (user) => send(user === undefined ? { lookupId } : { lookupId, user }),
        (err: unknown) => send({ lookupId, error: _toWorkerError(err) }),
      );
  }

  /** A worker died or was terminated: its task fails, and (unless closing) another takes its place. */
  private lost(slot: Slot, err: Error): void {
    const index = this.slots.indexOf(slot);
    if (index < 0) return;
    this.slots.splice(index, 1);
    clearTimeout(slot.timer);
    // The oldest message may be what killed it: it fails; the others go to another worker.
    const [task, ...rest] = slot.tasks.splice(0);
    task?.reject(err);
    this.queue.unshift(...rest);
    if (this.closed) return;
    if (!slot.ready) {
      // It died before its stamper was built: waiting messages fail (onError applies) rather than wait
      // for a worker that cannot start; the next message tries again.
      for (const waiting of this.queue.splice(0)) waiting.reject(err);
      return;
    }
    this.replaced?.();
    this.spawn();
    this.dispatch();
  }

  /**
   * Starts the timeout of the worker's oldest message: from when it was sent, or from the answer to the one
   * before it (so a message never pays for the time of another).
   */
  private arm(slot: Slot): void {
    const task = slot.tasks[0];
    if (!task) return;
    slot.timer = setTimeout(() => {
      if (slot.lookups.size > 0) {
        // The worker is not stuck: its stamp waits for a lookup in this thread (a throttled Graph, say). The
        // message fails (onError applies); the worker keeps going — the lookup's answer is an error now, its
        // stamp ends with it, and that late answer is not waited for.
        slot.tasks.shift();
        for (const [lookupId, id] of slot.lookups) {
          // (A lookup for a later message means this one's answer is on its way: that lookup goes on.)
          if (id !== task.id) continue;
          slot.lookups.delete(lookupId);
          const answer: _LookupAnswer = {
            lookupId,
            error: _toWorkerError(new Error("the stamp timed out waiting for the directory")),
          };
          try {
            slot.worker.postMessage(answer);
          } catch {
            // the worker is gone; lost() deals with it
          }
        }
        this.arm(slot);
        task.reject(
          new _StampWorkerTimeout(
            `stamping took longer than ${this.timeoutMs} ms (stampTimeoutMs), waiting for the directory`,
          ),
        );
        this.dispatch();
        return;
      }
      // Retired at once: no other message goes to it, and a fresh worker takes its place.
      this.replaced?.();
      const index = this.slots.indexOf(slot);
      if (index >= 0) this.slots.splice(index, 1);
      const [, ...rest] = slot.tasks.splice(0);
      this.queue.unshift(...rest);
      if (!this.closed) {
        this.spawn();
        this.dispatch();
      }
      task.reject(
        new _StampWorkerTimeout(
          `stamping took longer than ${this.timeoutMs} ms (stampTimeoutMs); the stamp worker was replaced`,
        ),
      );
      void slot.worker.terminate();
    }, this.timeoutMs);
  }

  /** Sends waiting messages to the least busy ready workers. */
  private dispatch(): void {
    while (this.queue.length > 0) {
      let slot: Slot | undefined;
      for (const candidate of this.slots) {
        if (
          candidate.ready &&
          candidate.tasks.length < PIPELINE &&
          (!slot || candidate.tasks.length < slot.tasks.length)
        )
          slot = candidate;
      }
      if (!slot) return;
      const task = this.queue.shift() as Task;
      // A task sent once more (its worker was replaced) whose bytes were moved gets them anew.
      const bytes = task.moved && task.again ? task.again() : task.message;
      const move = task.again !== undefined && bytes.byteLength > 0 && _ownsBuffer(bytes);
      const out = move ? bytes : new Uint8Array(bytes);
      const buffer = out.buffer as ArrayBuffer;
      const request: _StampRequest = {
        id: task.id,
        message: buffer,
        envelope: task.envelope,
        ...(task.hint ? { hint: task.hint } : {}),
      };
      try {
        slot.worker.postMessage(request, [buffer]);
      } catch (err) {
        // Nothing the relay builds fails to cross (the hint was cloned when it was made); should it anyway,
        // the message fails (onError applies) instead of waiting for its timeout.
        task.reject(err instanceof Error ? err : new Error(String(err)));
        continue;
      }
      if (move) task.moved = true;
      slot.tasks.push(task);
      if (slot.tasks.length === 1) this.arm(slot);
    }
  }

  /**
   * Stamps in a worker. The message bytes are copied once and the copy transferred, so `message` stays usable —
   * unless `options.again` is given: see {@link _StampTaskOptions}.
   */
  stamp(
    message: Uint8Array,
    envelope: _StampRequest["envelope"],
    options: _StampTaskOptions = {},
  ): Promise<StampResult> {
    if (this.closed) return Promise.reject(new Error("the stamp workers are closed"));
    // Workers lost while starting are tried again when there is work.
    this.start();
    return new Promise<StampResult>((resolve, reject) => {
      this.queue.push({
        id: this.nextId++,
        message,
        ...(options.again ? { again: options.again } : {}),
        moved: false,
        envelope,
        ...(options.hint ? { hint: options.hint } : {}),
        resolve,
        reject,
      });
      this.dispatch();
    });
  }

  /**
   * Looks the envelope sender up in the relay directory ahead of the stamp (at MAIL FROM, while the message is
   * still coming): the worker then needs no round trip for the common case where From is that sender, and a
   * slow directory overlaps with the transfer. Resolves to undefined when there is no directory, the lookup
   * failed (the worker asks again and gets the error) or the answer cannot cross to a worker.
   */
  prefetch(address: string): Promise<_SenderHint | undefined> {
    const directory = this.directory;
    if (!directory || !address) return Promise.resolve(undefined);
    return Promise.resolve()
      .then(() => directory.lookup(address))
      .then((user): _SenderHint =>
        user === undefined ? { address } : { address, user: structuredClone(user) },
      )
      .catch(() => undefined);
  }

  /** Terminates every worker; messages still waiting fail. */
  async close(): Promise<void> {
    this.closed = true;
    const err = new Error("the relay closed before the message was stamped");
    for (const task of this.queue.splice(0)) task.reject(err);
    const slots = this.slots.splice(0);
    for (const slot of slots) {
      clearTimeout(slot.timer);
      for (const task of slot.tasks.splice(0)) task.reject(err);
    }
    await Promise.all(slots.map((slot) => slot.worker.terminate()));
  }
}
