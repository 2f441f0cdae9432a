/**
 * One shell-ready line from a command and its arguments (parts with spaces or shell characters
 * quoted). Shared by the hub's printed hints and the panel's snippets; imports nothing.
 */
export function commandLine(command: string, args: readonly string[]): string {
  return [command, ...args].map((part) => (/[\s"'$`\\]/.test(part) ? JSON.stringify(part) : part)).join(' ');
}
