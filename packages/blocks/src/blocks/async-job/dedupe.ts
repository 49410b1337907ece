/**
 * Deployed dedupe keys: a KVStore declared beside each AsyncJob (its `cdk`
 * variant provisions the table, its `aws-runtime` variant writes the keys).
 * The local queue keeps its keys in its own store instead (local-queue.ts).
 */

export interface DedupeRecord {
  readonly jobId: string;
  /** Epoch ms of the first enqueue. */
  readonly at: number;
}

/** The dedupe store's id in the job's scope. */
export function dedupeStoreId(jobId: string): string {
  return `${jobId}-dedupe`;
}
