import type { Logger } from '@flowq/config';
import { blockModelUntil, coolOffAccount, liftExpiredCoolOffs, setAccountState, type Db } from '@flowq/db';

/**
 * Account state changes caused by upstream answers (the SQL is in @flowq/db). Only the call
 * that changed the row logs and tells `onChange`, so a burst of identical answers writes once.
 */
export function createAccountEffects(db: Db, logger: Logger, onChange: () => void) {
  return {
    async setState(email: string, to: 'needs_reauth' | 'no_credits', reason: string): Promise<boolean> {
      const changed = await setAccountState(db, email, to, reason);
      if (changed) {
        onChange();
        logger.warn({ account: email, state: to, reason }, 'account state changed');
      }
      return changed;
    },

    async coolOff(email: string, until: Date, reason: string): Promise<boolean> {
      const changed = await coolOffAccount(db, email, until, reason);
      if (changed) {
        onChange();
        logger.warn({ account: email, until: until.toISOString(), reason }, 'account cooled off');
      }
      return changed;
    },

    async modelQuota(email: string, model: string, until: Date, reason: string): Promise<boolean> {
      const changed = await blockModelUntil(db, email, model, until, reason);
      if (changed) {
        onChange();
        logger.warn({ account: email, model, until: until.toISOString(), reason }, 'account reached its daily quota for a model');
      }
      return changed;
    },

    /** Cool-offs whose time has come end; returns the accounts that came back. */
    async liftExpiredCoolOffs(now: Date): Promise<string[]> {
      const lifted = await liftExpiredCoolOffs(db, now);
      if (lifted.length) {
        onChange();
        logger.info({ accounts: lifted }, 'cool-off over; accounts take jobs again');
      }
      return lifted;
    },
  };
}

export type AccountEffects = ReturnType<typeof createAccountEffects>;
