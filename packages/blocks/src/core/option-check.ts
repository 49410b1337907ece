/**
 * When a Block checks and derives what it needs from its options.
 *
 * Locally and at synthesis, at construction: a mistake stops `npm run dev`
 * or the deploy, with the reason, before anything runs. In the deployed
 * function, on first use: synthesis ran the same code and refused the same
 * mistakes, so checking again would only add to every cold start, including
 * those whose call never touches the Block. An option whose value differs at
 * run time (read from the environment, say) then fails the calls that use
 * that Block, not the function's init and with it every call.
 *
 * Only checks that cost something (parsing, patterns) move; a handler that is
 * not a function is refused at construction everywhere.
 */
export type OptionCheck = 'at-construction' | 'on-first-use';

/**
 * `derive` run now or on the first call of the returned function, as `when`
 * says; every call returns that one value (or throws that one error again).
 */
export function checkedOptions<T>(when: OptionCheck, derive: () => T): () => T {
  if (when === 'at-construction') {
    const value = derive();
    return () => value;
  }
  let outcome: { readonly value: T } | { readonly error: unknown } | undefined;
  return () => {
    if (outcome === undefined) {
      try {
        outcome = { value: derive() };
      } catch (error) {
        outcome = { error };
      }
    }
    if ('error' in outcome) throw outcome.error;
    return outcome.value;
  };
}
