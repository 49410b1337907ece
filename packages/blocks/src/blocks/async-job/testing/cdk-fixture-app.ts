// An app module with two AsyncJobs (different timeouts, retries, concurrency) and a CronJob, for the
// CDK test; the test resolves blocks-kit to its cdk variants.
import { ApiNamespace, AsyncJob, CronJob, Scope } from 'blocks-kit';

const scope = new Scope('fixture-jobs');
const exports = new AsyncJob<{ userId: string }>(scope, 'exports', {
  handler: async () => undefined,
  retries: 4,
  visibilityTimeout: 120,
  concurrency: 5,
});
const thumbs = new AsyncJob<string>(scope, 'thumbs', { handler: async () => undefined });
new CronJob(scope, 'prune', { schedule: 'cron(0 3 * * ? *)', timezone: 'Europe/Paris', handler: async () => undefined });

export const api = new ApiNamespace(scope, 'api', () => ({
  async request(userId: string): Promise<string> {
    const [a, b] = await Promise.all([exports.enqueue({ userId }), thumbs.enqueue(userId)]);
    return `${a.jobId} ${b.jobId}`;
  },
}));
