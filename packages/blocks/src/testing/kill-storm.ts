import { spawn } from 'node:child_process';
import { once } from 'node:events';

export interface StormRound<A> {
  /** Complete acknowledgement lines printed before the kill. */
  readonly acks: A[];
  readonly stderr: string;
}

/**
 * Crash-safety harness: runs `node --import tsx <script> ...args`, collects
 * the JSON line the child prints after each acknowledged write, and SIGKILLs
 * it a random 0–`jitterMs` ms after the `killAfter`-th one, so the kill lands
 * at an arbitrary point of a later write.
 */
export async function runStormRound<A>(
  script: string,
  args: readonly string[],
  killAfter: number,
  options: { readonly jitterMs?: number; readonly cwd?: string } = {},
): Promise<StormRound<A>> {
  const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], {
    ...(options.cwd !== undefined && { cwd: options.cwd }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const acks: A[] = [];
  let pending = '';
  let stderr = '';
  let killTimer: NodeJS.Timeout | undefined;
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    const lines = (pending + chunk).split('\n');
    // A partial last line was not fully acknowledged.
    pending = lines.pop() ?? '';
    for (const line of lines) acks.push(JSON.parse(line) as A);
    if (acks.length >= killAfter && killTimer === undefined) {
      killTimer = setTimeout(() => child.kill('SIGKILL'), Math.random() * (options.jitterMs ?? 30));
    }
  });
  const [code, signal] = (await once(child, 'close')) as [number | null, NodeJS.Signals | null];
  clearTimeout(killTimer);
  if (signal !== 'SIGKILL') throw new Error(`storm child exited with ${code ?? signal} before the kill: ${stderr}`);
  return { acks, stderr };
}
