/** What every FileBucket variant exports besides the class itself: its types and its one named error. */
export type * from './types.js';
export { UnsupportedMediaTypeError } from './rules.js';
