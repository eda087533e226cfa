import { oneStatement, type StatementPart } from './live-router';

const part = (name: string, values: unknown[]): StatementPart => (first) => ({
  ctes: `${name} as (select ${values.map((_, i) => `$${first + i}`).join(', ')})`,
  values,
});

describe('oneStatement', () => {
  it('numbers each part\'s parameters after the previous part\'s and keeps their values in that order', () => {
    expect(oneStatement([part('a', ['x', 'y']), part('b', [1]), part('c', [true, null])])).toEqual({
      text: 'with a as (select $1, $2), b as (select $3), c as (select $4, $5) select 1',
      values: ['x', 'y', 1, true, null],
    });
  });
});
