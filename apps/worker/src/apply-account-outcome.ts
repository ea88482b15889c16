import type { Logger } from '@flowq/config';
import { updateAccount, type Db } from '@flowq/db';
import type { UpstreamOutcome } from '@flowq/useapi-client';
import { and, eq, ne } from 'drizzle-orm';
import { accounts } from '@flowq/db';

/**
 * What an upstream answer says about the account that gave it. State changes are written
 * only when they change something, and logged once then, not once per job.
 */
export async function applyAccountOutcome(db: Db, logger: Logger, email: string, outcome: UpstreamOutcome): Promise<void> {
  switch (outcome.type) {
    case 'needs_reauth':
    case 'no_credits': {
      const [changed] = await db
        .update(accounts)
        .set({ state: outcome.type, stateReason: outcome.message, updatedAt: new Date() })
        .where(and(eq(accounts.email, email), ne(accounts.state, outcome.type)))
        .returning({ email: accounts.email });
      if (changed) logger.warn({ account: email, state: outcome.type, reason: outcome.message }, 'account state changed');
      return;
    }
    case 'cool_off': {
      const [changed] = await db
        .update(accounts)
        .set({ state: 'cooling', coolingUntil: outcome.until, stateReason: outcome.reason, updatedAt: new Date() })
        .where(and(eq(accounts.email, email), ne(accounts.state, 'cooling')))
        .returning({ email: accounts.email });
      if (changed) logger.warn({ account: email, until: outcome.until, reason: outcome.reason }, 'account cooled off');
      return;
    }
    default:
      return;
  }
}

export { updateAccount };
