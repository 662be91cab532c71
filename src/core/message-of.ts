// An error's message for a log line or a sentence: thrown values are not always Errors.

/** The message of an Error, else the thrown value as text. */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
