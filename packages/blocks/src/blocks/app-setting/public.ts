/** What every AppSetting variant exports besides the class itself: its options and its one named error. */

export interface AppSettingOptions {
  /**
   * The value is sensitive (an API key, a webhook signing secret): deployed it
   * is an SSM SecureString you put yourself, never a value in code, the
   * template or the bundle; the CLI masks it. A secret cannot have a default.
   */
  readonly secret?: boolean;
  /** Used when no value is set for the current environment. Not allowed with `secret`. */
  readonly default?: string;
}

/**
 * A setting has no value and no default. A server-side fault, not an
 * `ApiError`: the client sees a 500 with a request id, the log says how to
 * set the value.
 */
export class MissingSettingError extends Error {
  constructor(
    /** `<scope>/<id>` */
    readonly setting: string,
    howToSet: string,
  ) {
    super(`AppSetting "${setting}" has no value and no default. ${howToSet}`);
    this.name = 'MissingSettingError';
  }
}
