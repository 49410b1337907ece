/**
 * What a process tree listens on, read from Linux's /proc: the TCP listening
 * sockets of /proc/net/tcp and tcp6, joined on their inodes with the socket
 * descriptors under /proc/<pid>/fd of the process and all its descendants
 * (npm and tsx start the real server as a child). This sees every listener,
 * also ones a library opens on its own, which no API of the server would list.
 */
import { readdir, readFile, readlink } from 'node:fs/promises';

export interface ListeningSocket {
  readonly pid: number;
  /** As Node prints addresses: dotted IPv4, compressed IPv6, `::ffff:a.b.c.d` for mapped IPv4. */
  readonly address: string;
  readonly port: number;
}

/** /proc/net/tcp writes each 32-bit word in host (little-endian) byte order. */
function wordBytes(hex: string): number[] {
  const bytes: number[] = [];
  for (let word = 0; word < hex.length; word += 8) {
    const chunk = hex.slice(word, word + 8);
    for (let i = 6; i >= 0; i -= 2) bytes.push(Number.parseInt(chunk.slice(i, i + 2), 16));
  }
  return bytes;
}

function formatAddress(hex: string): string {
  const bytes = wordBytes(hex);
  if (bytes.length === 4) return bytes.join('.');
  const mapped = bytes.slice(0, 10).every((b) => b === 0) && bytes[10] === 0xff && bytes[11] === 0xff;
  if (mapped) return `::ffff:${bytes.slice(12).join('.')}`;
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push((((bytes[i] ?? 0) << 8) | (bytes[i + 1] ?? 0)).toString(16));
  // The URL parser writes IPv6 in its canonical compressed form.
  return new URL(`http://[${groups.join(':')}]`).hostname.slice(1, -1);
}

const LISTEN = '0A';

/** inode → address of every listening TCP socket in this network namespace. */
async function listeningByInode(): Promise<Map<string, { address: string; port: number }>> {
  const byInode = new Map<string, { address: string; port: number }>();
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    const lines = (await readFile(table, 'utf8')).trim().split('\n').slice(1);
    for (const line of lines) {
      const fields = line.trim().split(/\s+/);
      const [local, state, inode] = [fields[1], fields[3], fields[9]];
      if (state !== LISTEN || !local || !inode) continue;
      const [addressHex = '', portHex = ''] = local.split(':');
      byInode.set(inode, { address: formatAddress(addressHex), port: Number.parseInt(portHex, 16) });
    }
  }
  return byInode;
}

/** `root` and every process whose chain of parents leads to it. */
async function processTree(root: number): Promise<number[]> {
  const parents = new Map<number, number>();
  for (const name of await readdir('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      // The command name in parentheses may hold spaces; the fields after it do not.
      const stat = await readFile(`/proc/${name}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      parents.set(Number(name), ppid);
    } catch {
      // Exited while we looked.
    }
  }
  const tree = [root];
  for (let i = 0; i < tree.length; i += 1) {
    for (const [pid, ppid] of parents) if (ppid === tree[i] && !tree.includes(pid)) tree.push(pid);
  }
  return tree;
}

async function socketInodes(pid: number): Promise<string[]> {
  let fds: string[];
  try {
    fds = await readdir(`/proc/${pid}/fd`);
  } catch {
    return [];
  }
  const inodes: string[] = [];
  for (const fd of fds) {
    const target = await readlink(`/proc/${pid}/fd/${fd}`).catch(() => '');
    const match = /^socket:\[(\d+)\]$/.exec(target);
    if (match?.[1]) inodes.push(match[1]);
  }
  return inodes;
}

/** Every TCP socket that `root` or a descendant listens on. */
export async function listeningSockets(root: number): Promise<ListeningSocket[]> {
  const byInode = await listeningByInode();
  const found: ListeningSocket[] = [];
  for (const pid of await processTree(root)) {
    for (const inode of await socketInodes(pid)) {
      const socket = byInode.get(inode);
      if (socket) found.push({ pid, ...socket });
    }
  }
  return found;
}
