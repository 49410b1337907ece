/**
 * The entry boilerplate the kit's CLIs (`blocks:setting`, `blocks:user`,
 * `blocks:job`) share: when the module is the script Node was started with,
 * run the command with the process arguments and turn its result into the
 * exit code. Imported by tests, the same module only exports its runner.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const messageOf = (error: unknown): unknown => (error instanceof Error ? error.message : error);

/**
 * @param moduleUrl the CLI module's `import.meta.url`
 * @param run resolves to the exit code
 * @param report what to print for an unexpected error (default: its message)
 */
export function runWhenInvoked(moduleUrl: string, run: (args: string[]) => Promise<number>, report: (error: unknown) => unknown = messageOf): void {
  const script = process.argv[1];
  if (script === undefined || path.resolve(script) !== fileURLToPath(moduleUrl)) return;
  run(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      console.error(report(error));
      process.exitCode = 1;
    },
  );
}
