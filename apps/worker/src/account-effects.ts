import type { Logger } from '@flowq/config';
import { blockModelUntil, coolOffAccount, denyModel, liftExpiredCoolOffs, recordAccountEvent, setAccountState, type Db } from '@flowq/db';

/**
 * Account state changes caused by upstream answers (the SQL is in @flowq/db). Only the call
 * that changed the row logs and tells `onChange`, so a burst of identical answers writes once.
 */
export function createAccountEffects(db: Db, logger: Logger, onChange: () => void) {
  return {
    async setState(email: string, to: 'needs_reauth' | 'no_credits' | 'missing', reason: string): Promise<boolean> {
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

    async denyModel(email: string, model: string, reason: string): Promise<boolean> {
      const changed = await denyModel(db, email, model, reason);
      if (changed) {
        onChange();
        logger.warn({ account: email, model, reason }, 'account may not run this model (MODEL_ACCESS_DENIED): it gets no more of it');
      }
      return changed;
    },

    /**
     * A 503: the captcha solver failed (a person must top it up) or Google is unavailable. Each
     * is an event of its own on the account that heard it, and a log line at its own level.
     */
    async serviceUnavailable(email: string, cause: 'capacity' | 'captcha_provider', message: string): Promise<void> {
      const kind = cause === 'captcha_provider' ? 'captcha_provider_failed' : 'google_unavailable';
      await recordAccountEvent(db, { email, kind, reason: message });
      if (cause === 'captcha_provider')
        logger.error({ account: email, reason: message }, 'captcha provider failed: top up or fix the captcha solver at useapi');
      else logger.warn({ account: email, reason: message }, 'Google Flow unavailable (503)');
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
