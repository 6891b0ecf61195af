/**
 * A stdio MCP server's stdout carries JSON-RPC only: one stray line from any dependency corrupts the session.
 * Everything that would print through `console` goes to standard error instead.
 */
export function routeConsoleToStandardError(): void {
  const toStandardError = (...values: unknown[]) => {
    process.stderr.write(values.map((value) => (typeof value === 'string' ? value : JSON.stringify(value))).join(' ') + '\n');
  };
  console.log = toStandardError;
  console.info = toStandardError;
  console.debug = toStandardError;
  console.warn = toStandardError;
}
