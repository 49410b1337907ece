/**
 * Background work in the dev server: a Block whose local variant works
 * something by itself (a queue, a schedule) implements `BackgroundBlock`, and
 * the dev server starts it once for its (scope, id) and stops it on close.
 * Stack-level code knows only this interface, never a Block kind.
 */
import type { ScopedResource } from './scope.js';

export interface BackgroundWork {
  /** Stops taking new work and waits for runs in progress. */
  stop(): Promise<void>;
}

export interface BackgroundBlock extends ScopedResource {
  /**
   * Starts this Block's background work. `current()` returns the same
   * (scope, id) Block as declared by the app module loaded *now*, so an edit
   * to its handler applies to the next run; undefined once it is removed.
   */
  startBackground(current: () => Promise<BackgroundBlock | undefined>): BackgroundWork;
}

export function isBackgroundBlock(resource: ScopedResource): resource is BackgroundBlock {
  return typeof (resource as Partial<BackgroundBlock>).startBackground === 'function';
}
