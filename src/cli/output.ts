// How every `yuchi` command reports: human text by default, one JSON document with --json.
// Expected failures are UsageError/CommandError: a clear message and a non-zero exit, no stack.

export class CommandError extends Error {
  constructor(message: string, readonly exitCode = 1) {
    super(message);
  }
}

export interface OutputOptions {
  json?: boolean;
}

/** Prints a result: `json` as one JSON document, or `human` lines. */
export function report(options: OutputOptions, json: unknown, human: string | string[]): void {
  if (options.json) {
    process.stdout.write(JSON.stringify(json, null, 2) + '\n');
  } else {
    const lines = Array.isArray(human) ? human : [human];
    process.stdout.write(lines.join('\n') + '\n');
  }
}

/** Progress and notes go to stderr so that --json output stays clean. */
export function note(message: string): void {
  process.stderr.write(message + '\n');
}

export function fail(options: OutputOptions, err: unknown): never {
  const message = err instanceof Error ? err.message : String(err);
  const code = err instanceof CommandError ? err.exitCode : 1;
  if (options.json) {
    process.stdout.write(JSON.stringify({ error: { message } }) + '\n');
  } else {
    process.stderr.write(`yuchi: ${message}\n`);
  }
  if (!(err instanceof CommandError) && process.env.YUCHI_DEBUG) console.error(err);
  process.exit(code);
}
