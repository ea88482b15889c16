import type { VideoModel } from '@flowq/core';
import type { AccountState, AccountTier, ResolvedAccountConfig } from './options';
import { userIdOf } from './ids';

/** One configured Google Flow account, with what the simulator counts about it. */
export interface SimAccount {
  email: string;
  tier: AccountTier;
  /** The models its plan may run. */
  models: VideoModel[];
  userId: number;
  credits: number;
  state: AccountState;
  maxConcurrent: number;
  maxConcurrentImages: number;
  created: number;
  /** Video jobs (generate, upscale, extend) created or started on it, by jobid. */
  executing: Set<string>;
  maxObservedConcurrency: number;
  /** `POST /images` calls in progress on it, by jobid. */
  imagesExecuting: Set<string>;
  maxObservedImageConcurrency: number;
  /** 429s answered because an image call would have gone above `maxConcurrentImages`. */
  overImage429s: number;
  /** 429s answered because a submit would have gone above `maxConcurrent`. */
  overSubmission429s: number;
  /** 429s answered because a fault was injected. */
  injected429s: number;
  accepted: number;
}

export interface AccountStats {
  email: string;
  tier: AccountTier;
  state: AccountState;
  credits: number;
  maxConcurrent: number;
  executing: number;
  maxObservedConcurrency: number;
  maxConcurrentImages: number;
  imagesExecuting: number;
  maxObservedImageConcurrency: number;
  overImage429s: number;
  overSubmission429s: number;
  injected429s: number;
  accepted: number;
}

export class AccountBook {
  private readonly accounts = new Map<string, SimAccount>();

  constructor(private readonly configs: ResolvedAccountConfig[]) {
    this.reset();
  }

  reset(now = Date.now()): void {
    this.accounts.clear();
    for (const c of this.configs) {
      this.accounts.set(c.email, {
        ...c,
        userId: userIdOf(c.email),
        created: now,
        executing: new Set(),
        maxObservedConcurrency: 0,
        imagesExecuting: new Set(),
        maxObservedImageConcurrency: 0,
        overImage429s: 0,
        overSubmission429s: 0,
        injected429s: 0,
        accepted: 0,
      });
    }
  }

  /** Forgets the counters a test reads, keeps credits, states and running jobs. */
  resetCounters(): void {
    for (const a of this.accounts.values()) {
      a.maxObservedConcurrency = a.executing.size;
      a.maxObservedImageConcurrency = a.imagesExecuting.size;
      a.overImage429s = 0;
      a.overSubmission429s = 0;
      a.injected429s = 0;
      a.accepted = 0;
    }
  }

  get(email: string): SimAccount | undefined {
    return this.accounts.get(email);
  }

  list(): SimAccount[] {
    return [...this.accounts.values()];
  }

  /** Throws on an unknown email: control calls name accounts that must exist. */
  require(email: string): SimAccount {
    const account = this.accounts.get(email);
    if (!account) throw new Error(`unknown simulator account ${email}`);
    return account;
  }

  startExecuting(account: SimAccount, jobid: string): void {
    account.executing.add(jobid);
    account.maxObservedConcurrency = Math.max(account.maxObservedConcurrency, account.executing.size);
  }

  stopExecuting(email: string, jobid: string): void {
    this.accounts.get(email)?.executing.delete(jobid);
  }

  startImage(account: SimAccount, jobid: string): void {
    account.imagesExecuting.add(jobid);
    account.maxObservedImageConcurrency = Math.max(account.maxObservedImageConcurrency, account.imagesExecuting.size);
  }

  stopImage(email: string, jobid: string): void {
    this.accounts.get(email)?.imagesExecuting.delete(jobid);
  }

  stats(account: SimAccount): AccountStats {
    return {
      email: account.email,
      tier: account.tier,
      state: account.state,
      credits: account.credits,
      maxConcurrent: account.maxConcurrent,
      executing: account.executing.size,
      maxObservedConcurrency: account.maxObservedConcurrency,
      maxConcurrentImages: account.maxConcurrentImages,
      imagesExecuting: account.imagesExecuting.size,
      maxObservedImageConcurrency: account.maxObservedImageConcurrency,
      overImage429s: account.overImage429s,
      overSubmission429s: account.overSubmission429s,
      injected429s: account.injected429s,
      accepted: account.accepted,
    };
  }
}
