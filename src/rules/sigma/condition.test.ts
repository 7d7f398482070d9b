import { ConditionError, expandPattern, parseCondition } from './condition';

describe('parseCondition', () => {
  it('gives not > and > or', () => {
    expect(parseCondition('a or not b and c')).toEqual({
      type: 'or',
      children: [{ type: 'ref', name: 'a' }, { type: 'and', children: [{ type: 'not', child: { type: 'ref', name: 'b' } }, { type: 'ref', name: 'c' }] }],
    });
  });
  it('reads parentheses, 1 of, any of, all of, them, in any case', () => {
    expect(parseCondition('(A OR b) AND 1 of sel_* and ALL of them and any of x')).toEqual({
      type: 'and',
      children: [
        { type: 'or', children: [{ type: 'ref', name: 'A' }, { type: 'ref', name: 'b' }] },
        { type: 'of', quantifier: 'one', pattern: 'sel_*' },
        { type: 'of', quantifier: 'all', pattern: 'them' },
        { type: 'of', quantifier: 'one', pattern: 'x' },
      ],
    });
  });
  it.each([
    ['selection | count() by c-ip > 10', /aggregation/],
    ['a near b', /near/],
    ['2 of sel*', /"2 of" is not supported/],
    ['(a and b', /expected "\)"/],
    ['a and', /expected a selection name/],
    ['a b', /unexpected "b"/],
    ['', /expected a selection name/],
    ['sel*', /unexpected "sel\*"/],
  ])('refuses %s', (text, message) => {
    expect(() => parseCondition(text)).toThrow(ConditionError);
    expect(() => parseCondition(text)).toThrow(message);
  });
});

describe('expandPattern', () => {
  const names = ['selection_a', 'selection_b', 'filter', '_hidden'];
  it('expands wildcards and them (without _ names)', () => {
    expect(expandPattern('selection_*', names)).toEqual(['selection_a', 'selection_b']);
    expect(expandPattern('them', names)).toEqual(['selection_a', 'selection_b', 'filter']);
    expect(expandPattern('_hidden', names)).toEqual(['_hidden']);
    expect(expandPattern('sel.ction_a', ['sel.ction_a', 'selXction_a'])).toEqual(['sel.ction_a']);
  });
});
