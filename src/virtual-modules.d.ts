declare module 'virtual:amplify-outputs' {
  /** amplify_outputs.json in cloud mode; the local dev server's endpoints in local mode. */
  const outputs: {
    readonly version: string;
    readonly auth?: Record<string, unknown>;
    readonly custom?: {
      readonly blocks_api_url?: string;
      readonly blocks_mode?: 'local';
      readonly local_user_pool_endpoint?: string;
      /** Local mode: the Blocks console (users, codes, data, every call). */
      readonly local_console_path?: string;
    };
    readonly [section: string]: unknown;
  };
  export default outputs;
}
