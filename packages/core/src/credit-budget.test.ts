import { describe, expect, it } from 'vitest';
import { type BudgetQuestion, checkBudget } from './credit-budget';

const q = (over: Partial<BudgetQuestion>): BudgetQuestion => ({ cost: 10, reserved: 0, jobMax: null, batch: null, ...over });

describe('checkBudget', () => {
  it.each([
    ['no budget at all', q({}), { ok: true, reserve: 10 }],
    ['a job budget that covers it', q({ jobMax: 10 }), { ok: true, reserve: 10 }],
    ['a job budget one credit short', q({ jobMax: 9 }), { ok: false, over: 'job' }],
    ['a zero job budget and a free model', q({ cost: 0, jobMax: 0 }), { ok: true, reserve: 0 }],
    ['a batch with exactly enough left', q({ batch: { max: 30, committed: 20 } }), { ok: true, reserve: 10 }],
    ['a batch one credit short', q({ batch: { max: 29, committed: 20 } }), { ok: false, over: 'batch' }],
    ['a batch already past its budget (it was lowered)', q({ batch: { max: 10, committed: 20 } }), { ok: false, over: 'batch' }],
    ['a retry that already holds its reservation', q({ reserved: 10, batch: { max: 10, committed: 10 } }), { ok: true, reserve: 0 }],
    ['a retry on a dearer account reserves the difference', q({ cost: 20, reserved: 10, batch: { max: 30, committed: 20 } }), { ok: true, reserve: 10 }],
    ['a retry on a dearer account past the batch budget', q({ cost: 20, reserved: 10, batch: { max: 25, committed: 20 } }), { ok: false, over: 'batch' }],
    ['the job budget is checked before the batch', q({ jobMax: 5, batch: { max: 0, committed: 0 } }), { ok: false, over: 'job' }],
  ] as const)('%s', (_, question, expected) => {
    expect(checkBudget(question)).toMatchObject(expected);
  });

  it('says how much of the batch is left', () => {
    const answer = checkBudget(q({ batch: { max: 25, committed: 20 } }));
    expect(answer).toEqual({ ok: false, over: 'batch', message: "needs 10 credits, and only 5 of the batch's maxCredits 25 are left" });
  });
});
