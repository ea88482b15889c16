import { describe, expect, it } from 'vitest';
import { spreadsheetSafe } from './results-format';

describe('spreadsheetSafe (OWASP CSV injection)', () => {
  it.each([
    ['=1+1', "'=1+1"],
    ['+1', "'+1"],
    ['-1', "'-1"],
    ['@SUM(A1)', "'@SUM(A1)"],
    ['\t=x', "'\t=x"],
    ['\r=x', "'\r=x"],
    ['a=1', 'a=1'],
    [' =1', ' =1'],
    ['', ''],
    ['plain', 'plain'],
  ])('%j becomes %j', (cell, safe) => {
    expect(spreadsheetSafe(cell)).toBe(safe);
  });
});
