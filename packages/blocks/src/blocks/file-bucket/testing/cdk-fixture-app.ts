// An app module with a FileBucket, for the CDK test; the test resolves blocks-kit to its cdk variants.
import { ApiNamespace, FileBucket, Scope } from 'blocks-kit';

const scope = new Scope('fixture-files');
const attachments = new FileBucket(scope, 'attachments', { allowedContentTypes: ['image/*', 'application/pdf'], maxBytes: 10 * 1024 * 1024 });

export const api = new ApiNamespace(scope, 'api', () => ({
  async uploadUrl(): Promise<string> {
    return (await attachments.createUploadUrl('someone/file.png', { contentType: 'image/png' })).url;
  },
}));
