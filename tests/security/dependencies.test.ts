/**
 * Supply chain and secret hygiene:
 *
 * - no high or critical advisory in the production dependencies
 *   (`npm audit --omit=dev`; skipped, saying why, when the advisory service
 *   cannot be reached);
 * - nothing secret-looking (private keys, private JWKs, AWS keys, session
 *   secrets) in the files git would commit: tracked files plus untracked ones
 *   that are not ignored. The local data directory (.blocks-data/) is
 *   ignored, which is where such material belongs.
 */
import { execFile } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { projectRoot } from './helpers.js';

const run = promisify(execFile);

// ---------------------------------------------------------------------------
// npm audit

interface AuditReport {
  readonly metadata?: { readonly vulnerabilities?: Record<string, number> };
  readonly vulnerabilities?: Record<string, { readonly severity?: string; readonly via?: unknown }>;
}

/** `name (severity)` for each high or critical finding; undefined when the output is not an audit report. */
function seriousAdvisories(report: unknown): string[] | undefined {
  const audit = report as AuditReport;
  if (typeof audit !== 'object' || audit === null || audit.metadata?.vulnerabilities === undefined) return undefined;
  const serious = Object.entries(audit.vulnerabilities ?? {})
    .filter(([, finding]) => finding.severity === 'high' || finding.severity === 'critical')
    .map(([name, finding]) => `${name} (${finding.severity})`);
  const { high = 0, critical = 0 } = audit.metadata.vulnerabilities;
  // The summary counts too, in case the per-package map is ever absent.
  if (serious.length === 0 && high + critical > 0) serious.push(`${high} high, ${critical} critical`);
  return serious;
}

async function npmAudit(): Promise<{ report?: unknown; problem?: string }> {
  let stdout: string;
  try {
    ({ stdout } = await run('npm', ['audit', '--omit=dev', '--json'], { cwd: projectRoot, timeout: 60_000, maxBuffer: 32 * 1024 * 1024 }));
  } catch (error) {
    // npm audit exits non-zero both when it finds something and when it cannot ask.
    const failed = error as { stdout?: string; killed?: boolean; message?: string };
    if (failed.killed) return { problem: 'npm audit timed out after 60 s' };
    stdout = failed.stdout ?? '';
    if (stdout === '') return { problem: failed.message ?? 'npm audit failed' };
  }
  try {
    return { report: JSON.parse(stdout) as unknown };
  } catch {
    return { problem: `npm audit printed no JSON: ${stdout.slice(0, 200)}` };
  }
}

describe('production dependencies', () => {
  it('have no high or critical advisory (npm audit --omit=dev)', async ({ skip }) => {
    const { report, problem } = await npmAudit();
    const serious = report === undefined ? undefined : seriousAdvisories(report);
    if (serious === undefined) {
      const reason = problem ?? `the registry did not answer the audit: ${JSON.stringify(report).slice(0, 200)}`;
      console.warn(`[security] npm audit skipped: ${reason}`);
      skip(`npm audit could not reach the advisory service (${reason.slice(0, 120)})`);
    }
    expect(serious, 'run `npm audit --omit=dev` for details; update or replace these packages').toEqual([]);
  }, 90_000);

  it('the audit gate fails on high and critical findings and passes on lower ones', () => {
    const report = (severities: string[]): AuditReport => ({
      metadata: { vulnerabilities: { info: 0, low: 0, moderate: 0, high: 0, critical: 0 } },
      vulnerabilities: Object.fromEntries(severities.map((severity, i) => [`pkg-${i}`, { severity }])),
    });
    expect(seriousAdvisories(report(['low', 'moderate']))).toEqual([]);
    expect(seriousAdvisories(report(['moderate', 'high', 'critical']))).toEqual(['pkg-1 (high)', 'pkg-2 (critical)']);
    expect(seriousAdvisories({ metadata: { vulnerabilities: { high: 2, critical: 0 } } })).toEqual(['2 high, 0 critical']);
    expect(seriousAdvisories({ message: '405 Method Not Allowed' })).toBeUndefined();
  });
});

// ---------------------------------------------------------------------------
// Secrets in the tree

const CONTENT_PATTERNS: ReadonlyArray<readonly [string, RegExp]> = [
  ['a PEM private key', /-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY-----/],
  ['an AWS access key id', /\b(?:AKIA|ASIA)(?!IOSFODNN7EXAMPLE)[A-Z0-9]{16}\b/],
  ['an AWS secret access key', /(?:aws_secret_access_key|secretAccessKey)["']?\s*[:=]\s*["']?[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+])/i],
];
/** A JWK's private part: `"d"` next to a key type. */
const JWK_PRIVATE = /"d"\s*:\s*"[A-Za-z0-9_-]{20,}"/;
const JWK_TYPE = /"kty"\s*:/;

const SECRET_FILE_NAMES: ReadonlyArray<readonly [string, RegExp]> = [
  ['the local user pool signing key', /(?:^|\/)signing-key\.json$/],
  // Source files about session keys (session-key.ts) are fine; files holding one are not.
  ['a session secret file', /(?:^|\/)[^/]*session[-_.]?secret[^/]*(?<!\.(?:[cm]?[jt]sx?|md))$|\.key$/i],
  ['a key or certificate bundle', /\.(?:pem|p12|pfx|jks)$/i],
  ['an SSH private key', /(?:^|\/)id_(?:rsa|dsa|ecdsa|ed25519)$/],
  ['an environment file', /(?:^|\/)\.env(?:\.(?!example$)[^/]+)?$/],
];

/** What looks secret about one file, by name and by content. */
function findSecrets(file: string, text: string): string[] {
  const found = SECRET_FILE_NAMES.filter(([, pattern]) => pattern.test(file)).map(([what]) => what);
  found.push(...CONTENT_PATTERNS.filter(([, pattern]) => pattern.test(text)).map(([what]) => what));
  if (JWK_PRIVATE.test(text) && JWK_TYPE.test(text)) found.push('a private JWK');
  return found;
}

async function committableFiles(): Promise<string[] | undefined> {
  const list = async (...args: string[]): Promise<string[]> =>
    (await run('git', ['ls-files', '-z', ...args], { cwd: projectRoot, maxBuffer: 64 * 1024 * 1024 })).stdout.split('\0').filter(Boolean);
  try {
    return [...new Set([...(await list()), ...(await list('--others', '--exclude-standard'))])];
  } catch {
    return undefined;
  }
}

const MAX_SCANNED_BYTES = 5 * 1024 * 1024;

describe('secrets in the repository', () => {
  it('no committable file holds a private key, a private JWK, an AWS key or a session secret', async ({ skip }) => {
    const files = await committableFiles();
    if (files === undefined) skip('not a git checkout: nothing to tell committable files from ignored ones');
    const findings: string[] = [];
    for (const file of files!) {
      const absolute = path.join(projectRoot, file);
      // Deleted-but-tracked files and the occasional huge or binary file are skipped.
      const info = await stat(absolute).catch(() => undefined);
      if (!info?.isFile()) continue;
      const text = info.size > MAX_SCANNED_BYTES ? '' : await readFile(absolute, 'utf8');
      if (text.slice(0, 8192).includes('\0')) continue;
      for (const what of findSecrets(file, text)) findings.push(`${file}: ${what}`);
    }
    expect(files!.length).toBeGreaterThan(50);
    expect(findings, 'move secrets to .blocks-data/ (gitignored) or an environment variable').toEqual([]);
  });

  it('the scanner recognises each kind of secret it looks for', () => {
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const pem = ec.privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
    const jwk = JSON.stringify(ec.privateKey.export({ format: 'jwk' }));
    const awsKeyId = `AKIA${randomBytes(8).toString('hex').toUpperCase()}`;
    const awsSecret = randomBytes(30).toString('base64');
    expect(findSecrets('notes.md', pem)).toEqual(['a PEM private key']);
    expect(findSecrets('config.json', jwk)).toEqual(['a private JWK']);
    expect(findSecrets('config.json', JSON.stringify(ec.publicKey.export({ format: 'jwk' })))).toEqual([]);
    expect(findSecrets('deploy.sh', `export AWS_ACCESS_KEY_ID=${awsKeyId}`)).toEqual(['an AWS access key id']);
    expect(findSecrets('.aws/credentials', `aws_secret_access_key = ${awsSecret}`)).toEqual(['an AWS secret access key']);
    expect(findSecrets('docs/example.md', 'AKIAIOSFODNN7EXAMPLE')).toEqual([]);
    expect(findSecrets('x/user-pool/signing-key.json', '{}')).toEqual(['the local user pool signing key']);
    expect(findSecrets('data/auth-basic/app-auth.key', 'abc')).toEqual(['a session secret file']);
    expect(findSecrets('session-secret.txt', 'abc')).toEqual(['a session secret file']);
    expect(findSecrets('.env', 'A=1')).toEqual(['an environment file']);
    expect(findSecrets('.env.example', 'A=')).toEqual([]);
    expect(findSecrets('src/auth-basic/session-key.ts', '')).toEqual([]);
  });
});
