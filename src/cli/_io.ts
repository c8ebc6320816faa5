import { readFile, rename, unlink, writeFile } from "node:fs/promises";
import { basename, dirname, join } from "node:path";

/** Raised for problems the user must fix; main() prints the message and exits with `exitCode`. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: 1 | 2,
  ) {
    super(message);
  }
}

/** Reads a file, or stdin for "-". */
export async function readInput(path: string, stdin: NodeJS.ReadableStream): Promise<Uint8Array> {
  if (path === "-") {
    const chunks: Buffer[] = [];
    for await (const chunk of stdin)
      chunks.push(typeof chunk === "string" ? Buffer.from(chunk) : (chunk as Buffer));
    return Buffer.concat(chunks);
  }
  try {
    return await readFile(path);
  } catch (err) {
    throw new CliError(`cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`, 1);
  }
}

/**
 * Writes files all or nothing: each to a temporary name beside it, and only when every one was written are they
 * renamed into place — so a failure (a bad --report folder, a full disk) never leaves a partial or lone output
 * where a script expects finished ones (SPEC §7: nothing written to -o on error).
 */
export async function writeAllOrNothing(
  files: ReadonlyArray<{ path: string; data: Uint8Array | string }>,
): Promise<void> {
  const staged = files.map((f) => ({
    ...f,
    tmp: join(dirname(f.path), `.${basename(f.path)}.${process.pid}.tmp`),
  }));
  let current = "";
  try {
    for (const f of staged) {
      current = f.path;
      await writeFile(f.tmp, f.data);
    }
    for (const f of staged) {
      current = f.path;
      await rename(f.tmp, f.path);
    }
  } catch (err) {
    await Promise.all(staged.map((f) => unlink(f.tmp).catch(() => undefined)));
    throw new CliError(`cannot write ${current}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`, 1);
  }
}

/** Writes one file all at once (see {@link writeAllOrNothing}). */
export async function writeAtomic(path: string, data: Uint8Array | string): Promise<void> {
  await writeAllOrNothing([{ path, data }]);
}
