/** Typed errors: every failure a user can meet says what went wrong and where. */
export type ErrorCode =
  | 'config' // bad environment or command-line input
  | 'usage' // a CLI command used wrongly
  | 'not-found' // a file, dataset or object that does not exist
  | 'rejected-file' // a delivered file that cannot be loaded as it is
  | 'database' // PostgreSQL refused or could not be reached
  | 'aws' // S3 or SQS refused or failed
  | 'email' // the mail server refused a message or could not be reached
  | 'output'; // what a command writes (a file, standard output) could not be written

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly retryable: boolean;
  constructor(code: ErrorCode, message: string, options: { retryable?: boolean; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'AppError';
    this.code = code;
    this.retryable = options.retryable ?? false;
  }
}

/** drizzle puts the whole statement and its parameters into `message`; the cause is the useful part. */
export function describeError(error: unknown): string {
  if (error instanceof AppError) return error.message;
  if (error instanceof Error) {
    const cause = (error as { cause?: unknown }).cause;
    if (cause instanceof Error && error.message.startsWith('Failed query')) return cause.message;
    return error.message;
  }
  return String(error);
}

/** The name closest to `text` (by edit distance, within a third of its length), if any is close. */
export function closest(text: string, names: string[]): string | null {
  let best: string | null = null;
  let bestDistance = Math.max(2, Math.floor(text.length / 3)) + 1;
  for (const name of names) {
    const d = distance(text, name);
    if (d < bestDistance) {
      best = name;
      bestDistance = d;
    }
  }
  return best;
}

function distance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) row[j] = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = row;
  }
  return prev[b.length]!;
}
