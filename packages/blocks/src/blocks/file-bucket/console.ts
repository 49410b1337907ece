/**
 * FileBucket's panel in the local console (Files tab): list by prefix with
 * paging, a short-lived URL to preview (images) or download a file, delete.
 */
import { inputInteger, inputString, type ConsoleSection } from '../../core/console-panel.js';
import type { FileBucketApi } from './types.js';

const URL_SECONDS = 300;

export function fileBucketConsole(bucket: FileBucketApi): ConsoleSection {
  return {
    ui: 'file-bucket',
    tab: 'Files',
    actions: {
      async list(input) {
        const cursor = inputString(input, 'cursor', { optional: true });
        const page = await bucket.list({
          prefix: inputString(input, 'prefix', { optional: true, max: 1024 }),
          limit: Math.min(inputInteger(input, 'limit') ?? 25, 200),
          ...(cursor && { cursor }),
        });
        return { items: page.items, ...(page.cursor !== undefined && { cursor: page.cursor }) };
      },
      async open(input) {
        const key = inputString(input, 'key', { max: 1024 });
        const info = await bucket.head(key);
        if (!info) return { file: null };
        const name = key.slice(key.lastIndexOf('/') + 1);
        const [view, download] = await Promise.all([
          bucket.createDownloadUrl(key, { expiresIn: URL_SECONDS }),
          bucket.createDownloadUrl(key, { expiresIn: URL_SECONDS, filename: name }),
        ]);
        return { file: { ...info, viewUrl: view.url, downloadUrl: download.url } };
      },
      async delete(input) {
        await bucket.delete(inputString(input, 'key', { max: 1024 }));
        return { deleted: true };
      },
    },
  };
}
