import { formatReport } from './format';
import type { KindReport } from './types';

const kind = (k: KindReport['kind'], source: number, present: number, copied: number, target: number, verified: boolean): KindReport => ({ kind: k, source, present, copied, target, verified });

describe('formatReport', () => {
  it('shows one row per kind and says which kinds were not found on the target', () => {
    const text = formatReport({ outcome: 'copied', conflicts: [], kinds: [kind('localities', 3, 1, 2, 3, true), kind('events', 21000, 0, 20990, 20990, false)] });
    expect(text.split('\n').slice(0, 3)).toEqual([
      'kind        source  already there  copied  on target    check',
      'localities       3              1       2          3       ok',
      'events       21000              0   20990      20990  MISSING',
    ]);
    expect(text).toContain('Not verified: events (20990 of 21000 found); run canh migrate again.');
  });

  it('lists every conflict of a refused migration and says nothing was written', () => {
    const text = formatReport({
      outcome: 'refused', kinds: [kind('users', 1, 0, 0, 0, false)],
      conflicts: [{ kind: 'users', id: 'usr_lan', reason: 'the target gives the username lan to user usr_x' }],
    });
    expect(text).toContain('Refused: the target holds other data under 1 id(s) of the source; nothing was written:');
    expect(text).toContain('  users usr_lan: the target gives the username lan to user usr_x');
  });
});
