import { DEFAULT_TOKEN_DAYS, validateTokenInput, validateUserInput } from './validate';

const good = { username: 'an.nguyen-01', password: 'mot-hai-ba-bon', role: 'analyst', locality: '00004' };

describe('validateUserInput', () => {
  it('accepts a good user; the display name defaults to the username', () => {
    expect(validateUserInput(good)).toEqual({ ...good, displayName: 'an.nguyen-01' });
    expect(validateUserInput({ ...good, display_name: ' Nguyễn Văn An ' }).displayName).toBe('Nguyễn Văn An');
  });

  it.each([
    ['ab', 'username'], ['An', 'username'], ['a'.repeat(65), 'username'], ['an nguyen', 'username'], ['an@x', 'username'],
  ])('refuses the username %p', (username, field) => {
    expect(() => validateUserInput({ ...good, username })).toThrow(expect.objectContaining({ kind: 'invalid', message: expect.stringContaining(field) }));
  });

  it('accepts 3 and 64 characters', () => {
    expect(validateUserInput({ ...good, username: 'a.b' }).username).toBe('a.b');
    expect(validateUserInput({ ...good, username: 'a'.repeat(64) }).username).toHaveLength(64);
  });

  it('needs a password of at least 12 characters', () => {
    expect(() => validateUserInput({ ...good, password: '12345678901' })).toThrow(/at least 12/);
    expect(validateUserInput({ ...good, password: '123456789012' }).password).toBe('123456789012');
  });

  it('lists every problem at once, role included', () => {
    try {
      validateUserInput({ username: 'X', password: 'short', role: 'root', locality: '' });
      throw new Error('expected a throw');
    } catch (err) {
      expect((err as { details: { problems: string[] } }).details.problems).toHaveLength(4);
    }
  });

  it('refuses a body that is not an object', () => {
    expect(() => validateUserInput('x')).toThrow(expect.objectContaining({ kind: 'invalid' }));
  });
});

describe('validateTokenInput', () => {
  it('defaults to a token named api for 90 days; null never expires', () => {
    expect(validateTokenInput(undefined)).toEqual({ name: 'api', expiresInDays: DEFAULT_TOKEN_DAYS });
    expect(validateTokenInput({ name: 'siem export', expires_in_days: null })).toEqual({ name: 'siem export', expiresInDays: null });
  });

  it('refuses bad names and lifetimes', () => {
    expect(() => validateTokenInput({ expires_in_days: 0 })).toThrow(/expires_in_days/);
    expect(() => validateTokenInput({ expires_in_days: 1.5 })).toThrow(/expires_in_days/);
    expect(() => validateTokenInput({ name: '<script>' })).toThrow(/name/);
  });
});
