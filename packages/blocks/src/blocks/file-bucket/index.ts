/**
 * FileBucket, local variant (the default condition): objects as files under
 * `<data dir>/files/<scope>/<id>/`, uploaded and downloaded by the browser
 * through the dev server at signed, expiring URLs (its own routes, below
 * `/aws-blocks/files/`). Deployed, the same declaration is an S3 bucket
 * (index.cdk.ts, index.aws.ts).
 *
 * @example
 * const attachments = new FileBucket(scope, 'attachments', { allowedContentTypes: ['image/*'], maxBytes: 10 * 1024 * 1024 });
 * const upload = await attachments.createUploadUrl(`${sub}/${noteId}/photo.png`, { contentType: 'image/png' });
 */
import path from 'node:path';
import type { HttpRoute, RoutedBlock } from '../../core/routes.js';
import type { ConsoleBlock, ConsoleSection } from '../../core/console-panel.js';
import { fileBucketConsole } from './console.js';
import { localDataDir } from '../../local/data-dir.js';
import { FileBucketBlock } from './file-bucket.js';
import { LocalFileStorage } from './local-storage-routes.js';
import { localBucketKeyFile, LocalSigner } from './local-signing.js';
import { LocalObjects } from './local-storage.js';

export * from './public.js';

export class FileBucket extends FileBucketBlock implements RoutedBlock, ConsoleBlock {
  #local?: LocalFileStorage;

  protected open(): LocalFileStorage {
    // Paths are read on first use, not at import: tests set BLOCKS_DATA_DIR late.
    this.#local ??= new LocalFileStorage(
      new LocalObjects(path.join(localDataDir(), 'files', this.scope.name, this.id)),
      new LocalSigner(localBucketKeyFile(this.scope.name, this.id)),
      this.scope.name,
      this.id,
    );
    return this.#local;
  }

  /** Its panel in the local console (`/_blocks/`). */
  consoleSection(): ConsoleSection {
    return fileBucketConsole(this);
  }

  routes(): HttpRoute[] {
    // The routes call into storage lazily too: listing them opens nothing on disk.
    return this.open().routes();
  }
}
