// Ajv reports a failed pattern as `must match pattern "^…$"`, which nobody can act on. A schema
// names its pattern through here, and a failure is reported in these words instead.
const messages = new Map<string, string>();

export function readablePattern(pattern: string, message: string): string {
  const known = messages.get(pattern);
  // One pattern, one message: the error handler only sees the pattern.
  if (known !== undefined && known !== message) throw new Error(`the pattern ${pattern} has two messages`);
  messages.set(pattern, message);
  return pattern;
}

export const patternMessage = (pattern: unknown): string | undefined =>
  typeof pattern === "string" ? messages.get(pattern) : undefined;
