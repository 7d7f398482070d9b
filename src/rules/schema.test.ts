import { MATCH_ALL } from '../query/ast';
import { parseFilter } from '../query/parse';
import { loadRuleText } from './load-rules';
import { RULE_DEFAULTS, formatDuration, ruleVersion } from './schema';

// Five lines every rule needs; the lines a test adds start at line 6.
const HEAD = ['id: r1', 'title: T', 'severity: low', 'category: test', 'dataset: web.access'];
const load = (...lines: string[]) => loadRuleText([...HEAD, ...lines].join('\n'), 'r.yaml');

function rule(...lines: string[]) {
  const r = load(...lines);
  expect(r.errors).toEqual([]);
  expect(r.rules).toHaveLength(1);
  return r.rules[0];
}
/** The errors of a rule that must not load, as `line field: message`. */
function errors(...lines: string[]): string[] {
  const r = load(...lines);
  expect(r.rules).toEqual([]);
  return r.errors.map((e) => `${e.line} ${e.field}: ${e.message}`);
}

describe('defaults', () => {
  it('fills every optional key', () => {
    const r = rule('type: threshold', 'condition: { count: 5 }');
    expect(r).toMatchObject({
      id: 'r1', title: 'T', description: '', severity: 'low', category: 'test', tags: [], dataset: 'web.access',
      filter: MATCH_ALL, filterText: '', groupBy: ['organization.id'], windowMs: 300_000, everyMs: 60_000,
      delayMs: 30_000, suppressMs: 300_000, enabled: true, origin: { file: 'r.yaml', line: 1 },
    });
    expect(r.escalation).toBeUndefined();
    expect(r.version).toMatch(/^[0-9a-f]{12}$/);
  });
  it('a match rule windows by every; suppress follows the window', () => {
    const r = rule('type: match', 'every: 2m');
    expect(r.condition).toEqual({ type: 'match' });
    expect([r.windowMs, r.everyMs, r.suppressMs]).toEqual([120_000, 120_000, 120_000]);
  });
  it('takes every key when given', () => {
    const r = rule(
      'description: D', 'tags: [attack.t1110, x]', "filter: 'http.response.status_code:>=400'", 'type: match',
      'group_by: [organization.id, source.ip]', 'window: 10m', 'every: 30s', 'delay: 0s', 'suppress: 1h',
      'escalation: night-shift', 'enabled: false',
    );
    expect(r).toMatchObject({
      description: 'D', tags: ['attack.t1110', 'x'], filterText: 'http.response.status_code:>=400',
      filter: parseFilter('http.response.status_code:>=400'), groupBy: ['organization.id', 'source.ip'],
      windowMs: 600_000, everyMs: 30_000, delayMs: 0, suppressMs: 3_600_000, escalation: 'night-shift', enabled: false,
    });
  });
  it('accepts an empty group_by (one group) and a single field as a list of one', () => {
    expect(rule('type: match', 'group_by: []').groupBy).toEqual([]);
    expect(rule('type: match', 'group_by: source.ip').groupBy).toEqual(['source.ip']);
  });
  it('accepts dataset names outside the known ones unless they look like a typo', () => {
    expect(loadRuleText(HEAD.slice(0, 4).concat('dataset: syslog.auth', 'type: match').join('\n'), 'f').errors).toEqual([]);
    expect(loadRuleText(HEAD.slice(0, 4).concat('dataset: otp.aut', 'type: match').join('\n'), 'f').errors[0])
      .toMatchObject({ line: 5, field: 'dataset', message: "unknown dataset 'otp.aut'; did you mean 'otp.auth'?" });
  });
});

describe('conditions', () => {
  it('threshold', () => {
    expect(rule('type: threshold', 'condition: { count: 20 }').condition).toEqual({ type: 'threshold', count: 20 });
  });
  it('ratio, min_total defaulting', () => {
    expect(rule('type: ratio', 'condition:', "  match: 'http.response.status_code:>=500'", '  ratio: 0.2').condition).toEqual({
      type: 'ratio', match: parseFilter('http.response.status_code:>=500'), matchText: 'http.response.status_code:>=500',
      ratio: 0.2, minTotal: RULE_DEFAULTS.ratioMinTotal,
    });
    expect(rule('type: ratio', 'condition: { match: "event.outcome:failure", ratio: 1, min_total: 50 }').condition).toMatchObject({ ratio: 1, minTotal: 50 });
  });
  it('cardinality', () => {
    expect(rule('type: cardinality', 'condition: { field: url.path, count: 100 }').condition).toEqual({ type: 'cardinality', field: 'url.path', count: 100 });
  });
  it('metric with above, below or both', () => {
    expect(rule('type: metric', 'condition: { field: monitor.duration.us, op: p95, above: 5000000 }').condition)
      .toEqual({ type: 'metric', field: 'monitor.duration.us', op: 'p95', above: 5_000_000 });
    expect(rule('type: metric', 'condition: { field: http.response.body.bytes, op: sum, below: 10 }').condition)
      .toEqual({ type: 'metric', field: 'http.response.body.bytes', op: 'sum', below: 10 });
    expect(rule('type: metric', 'condition: { field: custom.gauge, op: avg, above: 2, below: 1 }').condition)
      .toEqual({ type: 'metric', field: 'custom.gauge', op: 'avg', above: 2, below: 1 });
  });
  it('spike with defaults and in full', () => {
    expect(rule('type: spike', 'condition: { factor: 3 }').condition).toEqual({
      type: 'spike', direction: 'up', factor: 3, referenceMs: 86_400_000, minCurrent: 10, minReference: 10,
    });
    expect(rule('type: spike', 'condition: { direction: both, factor: 1.5, reference: 7d, min_current: 0, min_reference: 100 }').condition)
      .toEqual({ type: 'spike', direction: 'both', factor: 1.5, referenceMs: 7 * 86_400_000, minCurrent: 0, minReference: 100 });
  });
  it('absence: condition optional', () => {
    expect(rule('type: absence').condition).toEqual({ type: 'absence', fewerThan: 1, lookbackMs: 86_400_000 });
    expect(rule('type: absence', 'condition: { fewer_than: 5, lookback: 2h }').condition).toEqual({ type: 'absence', fewerThan: 5, lookbackMs: 7_200_000 });
  });
  it('new_value', () => {
    expect(rule('type: new_value', 'condition: { fields: [user_agent.name, source.ip] }').condition)
      .toEqual({ type: 'new_value', fields: ['user_agent.name', 'source.ip'], lookbackDays: 30 });
    expect(rule('type: new_value', 'condition: { fields: [user.name], lookback_days: 7 }').condition)
      .toEqual({ type: 'new_value', fields: ['user.name'], lookbackDays: 7 });
  });
  it('sequence (the span may exceed the window)', () => {
    const r = rule('type: sequence', 'window: 1m', 'condition:', '  steps:', "    - { filter: 'event.action:otp-verify-failed', count: 5 }",
      "    - filter: 'event.action:otp-verified'", '  span: 10m');
    expect(r.condition).toEqual({
      type: 'sequence', spanMs: 600_000, steps: [
        { filter: parseFilter('event.action:otp-verify-failed'), filterText: 'event.action:otp-verify-failed', count: 5 },
        { filter: parseFilter('event.action:otp-verified'), filterText: 'event.action:otp-verified', count: 1 },
      ],
    });
  });
  it('match accepts an empty condition', () => {
    expect(rule('type: match', 'condition: {}').condition).toEqual({ type: 'match' });
  });
});

describe('errors name line and field', () => {
  it('missing required keys, at the rule line', () => {
    const r = loadRuleText('\n\nid: r1\ntype: match', 'f.yaml');
    expect(r.errors.map((e) => `${e.line} ${e.field}: ${e.message}`)).toEqual([
      "3 title: missing required key 'title'",
      "3 severity: missing required key 'severity'",
      "3 category: missing required key 'category'",
      "3 dataset: missing required key 'dataset'",
    ]);
  });
  it('unknown keys with a suggestion, or the list, or a hint', () => {
    expect(errors('type: match', 'widnow: 5m', 'colour: red', 'count: 3')).toEqual([
      "7 widnow: unknown key 'widnow'; did you mean 'window'?",
      "8 colour: unknown key 'colour'; expected one of: id, title, description, severity, category, tags, dataset, filter, type, condition, group_by, window, every, delay, suppress, escalation, enabled, auto_resolve",
      "9 count: unknown key 'count'; 'count' is a condition key (threshold, cardinality): put it under 'condition:'",
    ]);
  });
  it('unknown condition keys, naming the type they belong to', () => {
    expect(errors('type: ratio', 'condition:', '  match: a', '  ratio: 0.5', '  coun: 1', '  field: x')).toEqual([
      "10 condition.coun: unknown key 'coun'; expected one of: match, ratio, min_total",
      "11 condition.field: unknown key 'field' for type ratio (it belongs to cardinality, metric); expected match, ratio, min_total",
    ]);
  });
  it('bad enumerations suggest the closest value', () => {
    const r = loadRuleText('id: r1\ntitle: T\nseverity: hihg\ncategory: availabilty\ndataset: web.access\ntype: treshold', 'f');
    expect(r.errors.map((e) => `${e.line} ${e.field}: ${e.message}`)).toEqual([
      "3 severity: unknown value 'hihg'; did you mean 'high'?",
      "4 category: unknown value 'availabilty'; did you mean 'availability'?",
      "6 type: unknown value 'treshold'; did you mean 'threshold'?",
    ]);
  });
  it('bad id, title, tags and escalation', () => {
    const r = loadRuleText('id: Bad_Id\ntitle: ""\nseverity: low\ncategory: test\ndataset: web.access\ntype: match\ntags: [ok, "a b"]\nescalation: "Night Shift"', 'f');
    expect(r.errors.map((e) => `${e.line} ${e.field}`)).toEqual(['1 id', '2 title', '7 tags[1]', '8 escalation']);
    expect(r.errors[0].message).toMatch(/^invalid value "Bad_Id": an id is 2 to 64 characters/);
  });
  it('wrong value types', () => {
    expect(errors('type: match', 'enabled: yes', 'window: 300', 'group_by: { a: 1 }', 'title2: x')).toEqual([
      '7 enabled: expected true or false, got "yes"',
      '8 window: expected a duration such as 30s, 5m, 1h or 7d, got 300',
      '9 group_by: expected a list of strings, got a mapping',
      "10 title2: unknown key 'title2'; did you mean 'title'?",
    ]);
  });
  it('a filter error names the line of the value and the position in the filter', () => {
    expect(errors('type: match', "filter: 'http.response.status_code:abc'")).toEqual([
      '7 filter: invalid filter: http.response.status_code expects a number, got "abc" (at position 26)',
    ]);
  });
  it('a filter error inside a literal block names the line inside the block', () => {
    expect(errors('type: match', 'filter: |', '  url.path:/a', '  AND (b OR')).toEqual([
      '9 filter: invalid filter: Expected a clause after OR (at position 22)',
    ]);
  });
  it('ratio condition errors, all reported', () => {
    expect(errors('type: ratio', 'condition:', "  match: '(a'", '  ratio: 0', '  min_total: 2.5')).toEqual([
      '8 condition.match: invalid filter: Expected ")" to close the "(" opened at position 0 (at position 2)',
      '9 condition.ratio: must be greater than 0, got 0',
      '10 condition.min_total: expected an integer, got 2.5',
    ]);
    expect(errors('type: ratio', 'condition: { ratio: 2 }')).toEqual([
      "7 condition.match: missing required key 'match'",
      '7 condition.ratio: must be at most 1, got 2',
    ]);
  });
  it('a condition is required, except for match and absence', () => {
    expect(errors('type: threshold')).toEqual(["1 condition: missing required key 'condition' for type threshold (count)"]);
    expect(errors('type: cardinality', 'condition: 5')).toEqual(['7 condition: expected a mapping, got 5']);
    expect(errors('type: threshold', 'condition: { count: -1 }')).toEqual(['7 condition.count: must be at least 1, got -1']);
  });
  it('metric errors', () => {
    expect(errors('type: metric', 'condition: { field: user.name, op: median }')).toEqual([
      "7 condition.field: field 'user.name' is not numeric (it is keyword)",
      "7 condition.op: unknown value 'median'; expected one of: avg, min, max, sum, p95",
      "7 condition.above: give 'above', 'below' or both",
    ]);
    expect(errors('type: metric', 'condition:', '  field: otp.delivery_ms', '  op: max', '  above: 5', '  below: 9')).toEqual([
      "11 condition.below: must be less than above (5): a hit is a value above 'above' or below 'below'",
    ]);
  });
  it('spike errors', () => {
    expect(errors('type: spike', 'window: 1h', 'condition:', '  factor: 1', '  direction: sideways', '  reference: 30m')).toEqual([
      '9 condition.factor: must be greater than 1, got 1',
      "10 condition.direction: unknown value 'sideways'; expected one of: up, down, both",
      '11 condition.reference: must be at least the window (1h), got 30m',
    ]);
  });
  it('absence, new_value and cardinality errors', () => {
    expect(errors('type: absence', 'condition: { fewer_than: 0, lookback: forever }')).toEqual([
      '7 condition.fewer_than: must be at least 1, got 0',
      '7 condition.lookback: expected a duration such as 30s, 5m, 1h or 7d, got "forever"',
    ]);
    expect(errors('type: new_value', 'condition: { fields: [a, a], lookback_days: 365 }')).toEqual([
      '7 condition.fields[1]: "a" is listed twice',
      '7 condition.lookback_days: must be at most 90, got 365',
    ]);
    expect(errors('type: new_value', 'condition: { fields: [] }')).toEqual(['7 condition.fields: expected 1 to 5 items, got 0']);
    expect(errors('type: cardinality', 'condition: { field: 9x }')).toEqual([
      '7 condition.field: invalid value "9x": a field name is letters, digits, _, ., @ and -, starting with a letter, _ or @',
      "7 condition.count: missing required key 'count'",
    ]);
  });
  it('sequence errors', () => {
    expect(errors('type: sequence', 'condition:', '  steps:', "    - filter: 'a'", '  span: 10m')).toEqual([
      '9 condition.steps: expected 2 to 5 steps, got 1',
    ]);
    expect(errors('type: sequence', 'window: 5m', 'condition:', '  steps:', '    - { filter: a, coutn: 2 }', '    - count: 0', '  span: 40d')).toEqual([
      "10 condition.steps[0].coutn: unknown key 'coutn'; did you mean 'count'?",
      "11 condition.steps[1].filter: missing required key 'filter'",
      '11 condition.steps[1].count: must be at least 1, got 0',
      '12 condition.span: must be at most 31d, got 40d',
    ]);
  });
  it('timing limits', () => {
    expect(errors('type: threshold', 'condition: { count: 1 }', 'window: 1m', 'every: 5m')).toEqual([
      '9 every: must not exceed the window (1m), got 5m: events between two evaluations would never be looked at',
    ]);
    expect(errors('type: match', 'window: 32d', 'every: 500ms', 'delay: 2d', 'suppress: 40d')).toEqual([
      '7 window: must be at most 31d, got 32d',
      '8 every: must be at least 1s, got 500ms',
      '9 delay: must be at most 1d, got 2d',
      '10 suppress: must be at most 31d, got 40d',
    ]);
    expect(errors('type: match', 'group_by: [a, b, c, d, e, f]')).toEqual(['7 group_by: expected 0 to 5 items, got 6']);
  });
  it('an empty value is not a missing key', () => {
    expect(errors('type:')).toEqual(["6 type: 'type' must not be empty"]);
  });
});

describe('version', () => {
  it('is stable, ignores the origin and changes with the definition', () => {
    const a = rule('type: threshold', 'condition: { count: 5 }');
    const moved = loadRuleText(['# moved', ...HEAD, 'type: threshold', 'condition: { count: 5 }'].join('\n'), 'other.yaml').rules[0];
    const changed = rule('type: threshold', 'condition: { count: 6 }');
    expect(moved.origin).toEqual({ file: 'other.yaml', line: 2 });
    expect(moved.version).toBe(a.version);
    expect(changed.version).not.toBe(a.version);
    expect(ruleVersion(a)).toBe(a.version);
  });
  it('does not depend on key order in the file', () => {
    const a = rule('type: threshold', 'condition: { count: 5 }', 'window: 10m');
    const b = loadRuleText(['window: 10m', 'condition: { count: 5 }', 'type: threshold', ...[...HEAD].reverse()].join('\n'), 'r.yaml').rules[0];
    expect(b.version).toBe(a.version);
  });
});

describe('formatDuration', () => {
  it.each([[1000, '1s'], [90_000, '90s'], [300_000, '5m'], [86_400_000, '1d'], [1500, '1500ms']])('%d → %s', (ms, s) => {
    expect(formatDuration(ms)).toBe(s);
  });
});
