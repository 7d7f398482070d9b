import { closest, didYouMean, editDistance } from './suggest';

describe('editDistance', () => {
  it.each([
    ['', '', 0],
    ['abc', '', 3],
    ['kitten', 'sitting', 3],
    ['window', 'widnow', 1],
    ['threshold', 'tresholds', 2],
    ['every', 'every', 0],
  ])('%s → %s is %d', (a, b, d) => {
    expect(editDistance(a, b)).toBe(d);
    expect(editDistance(b, a)).toBe(d);
  });
});

describe('closest', () => {
  const keys = ['window', 'every', 'delay', 'suppress', 'threshold', 'group_by'];
  it('suggests a close key, swaps counting once', () => {
    expect(closest('widnow', keys)).toBe('window');
    expect(closest('tresholds', keys)).toBe('threshold');
    expect(closest('groupby', keys)).toBe('group_by');
    expect(closest('Delay', keys)).toBe('delay');
  });
  it('suggests nothing when no key is close', () => {
    expect(closest('colour', keys)).toBeUndefined();
    expect(closest('x', keys)).toBeUndefined();
    expect(closest('anything', [])).toBeUndefined();
  });
  it('is strict with short words', () => {
    expect(closest('ab', ['id'])).toBeUndefined();
    expect(closest('if', ['id'])).toBe('id');
  });
  it('didYouMean phrases it', () => {
    expect(didYouMean('evry', keys)).toBe("; did you mean 'every'?");
    expect(didYouMean('zzzzzz', keys)).toBe('');
  });
});
