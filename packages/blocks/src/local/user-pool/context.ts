import type { SigningKeys } from './keys.js';
import type { KeyedLock } from '../keyed-lock.js';
import type { PasswordPolicy } from './password-policy.js';
import type { PoolSettings } from './settings.js';
import type { CodeKind } from './records.js';
import type { DeliveryMedium } from './outbox.js';
import type { UsedChallenges } from './secret-block.js';
import type { UserPoolStore } from './store.js';

/** A one-time code the pool "sent"; the local pool hands it to the developer instead of mailing it. */
export interface CodeEvent {
  /** Where the code was sent: the email address, or the phone number for SMS. */
  username: string;
  /** How it was sent; the local pool writes both to its outbox (outbox.ts). */
  medium: DeliveryMedium;
  code: string;
  kind: CodeKind;
}

/** Everything an operation handler needs; one per pool. */
export interface PoolContext {
  readonly userPoolId: string;
  /** The part of the pool id after `_`; hashed into every SRP verifier. */
  readonly poolName: string;
  readonly clientId: string;
  readonly issuer: string;
  readonly settings: PoolSettings;
  /** `settings.passwordPolicy`. */
  readonly passwordPolicy: PasswordPolicy;
  readonly codeTtlMs: Readonly<Record<CodeKind, number>>;
  readonly store: UserPoolStore;
  readonly locks: KeyedLock;
  readonly usedChallenges: UsedChallenges;
  now(): number;
  keys(): Promise<SigningKeys>;
  deliverCode(event: CodeEvent): void;
}
