import type { FastifyInstance, FastifyRequest } from 'fastify';
import { AppError, errors } from '../errors';
import type { EventSearchService } from '../events/search-service';
import { baseApp } from '../http/build-app';
import { FakeClock } from '../lib/clock';
import { MemoryDirectoryStore } from '../store/memory/directory-store';
import { ALL_SCOPE, localityScope, type Scope } from '../store/scope';
import { MAX_CONTACTS, normalizeEmail, validateContacts } from './contacts';
import { DirectoryService } from './directory-service';
import { directoryRoutes } from './routes';

const SECRET = 'a-secret-of-16+chars';

/** The problems of an input that must be refused. */
function problemsOf(input: unknown): string[] {
  try {
    validateContacts(input);
  } catch (err) {
    expect(err).toBeInstanceOf(AppError);
    expect(err).toMatchObject({ kind: 'invalid', code: 'CANH_REQUEST_INVALID' });
    return (err as AppError).details?.problems as string[];
  }
  throw new Error('expected the input to be refused');
}

describe('validateContacts', () => {
  it('accepts emails and webhooks, defaults the language to vi and the secret to null, keeps the order', () => {
    expect(validateContacts({
      contacts: [
        { email: 'soc@example.vn', language: 'vi' },
        { webhook: 'https://hooks.example.vn/canh' },
        { email: 'Duty.Officer@HANOI.Gov.VN' },
        { webhook: 'http://10.0.0.5:8080/hook?x=1', secret: SECRET },
        { email: 'oncall@example.com', language: 'en' },
      ],
    })).toEqual([
      { kind: 'email', address: 'soc@example.vn', language: 'vi' },
      { kind: 'webhook', url: 'https://hooks.example.vn/canh', secret: null },
      { kind: 'email', address: 'Duty.Officer@hanoi.gov.vn', language: 'vi' },
      { kind: 'webhook', url: 'http://10.0.0.5:8080/hook?x=1', secret: SECRET },
      { kind: 'email', address: 'oncall@example.com', language: 'en' },
    ]);
  });

  it('accepts an empty list (no contacts) and 50 contacts, refuses 51', () => {
    expect(validateContacts({ contacts: [] })).toEqual([]);
    const many = (n: number) => Array.from({ length: n }, (_, i) => ({ email: `duty${i}@example.vn` }));
    expect(validateContacts({ contacts: many(MAX_CONTACTS) })).toHaveLength(50);
    expect(problemsOf({ contacts: many(51) })).toEqual(['contacts: at most 50 contacts (got 51)']);
  });

  it('refuses a body that is not {"contacts": [...]}', () => {
    expect(problemsOf(null)).toEqual(['body: expected {"contacts": [...]}']);
    expect(problemsOf([{ email: 'soc@example.vn' }])).toEqual(['body: expected {"contacts": [...]}']);
    expect(problemsOf({})).toEqual(['contacts: expected an array of at most 50 contacts']);
    expect(problemsOf({ contacts: { email: 'soc@example.vn' } })).toEqual(['contacts: expected an array of at most 50 contacts']);
    expect(problemsOf({ contacts: [], extra: 1 })).toEqual(['extra: unknown key (the body is {"contacts": [...]})']);
  });

  it('names every problem with its position, all at once', () => {
    const problems = problemsOf({
      contacts: [
        { email: 'soc@example.vn' },
        'soc@example.vn',
        { email: 'x@example.vn', language: 'fr' },
        { email: 'not-an-address' },
        { webhook: 'ftp://files.example.vn/drop' },
        { webhook: 'https://ok.example.vn/', secret: 'short' },
        { email: 'a@example.vn', webhook: 'https://a.example.vn/' },
        {},
        { email: 'b@example.vn', secret: SECRET },
        { webhook: 'https://c.example.vn/', language: 'vi', name: 'C' },
        { webhook: 42 },
        { email: 'soc@example.vn', language: null },
      ],
    });
    expect(problems).toEqual([
      'contacts[1]: expected {"email", "language"?} or {"webhook", "secret"?}',
      'contacts[2].language: expected vi or en',
      'contacts[3].email: expected an email address such as soc@example.vn',
      'contacts[4].webhook: the ftp scheme is not allowed; use https (or http)',
      'contacts[5].secret: expected 16 to 256 characters',
      'contacts[6]: either email or webhook, not both (one contact per item)',
      'contacts[7]: expected {"email", "language"?} or {"webhook", "secret"?}',
      'contacts[8].secret: unknown key (an email contact has email and language)',
      'contacts[9].language: unknown key (a webhook contact has webhook and secret)',
      'contacts[9].name: unknown key (a webhook contact has webhook and secret)',
      'contacts[10].webhook: expected an http or https URL (https recommended)',
      'contacts[11].email: duplicate of contacts[0]',
    ]);
  });

  it('refuses duplicates: emails whatever their case, webhooks once normalized', () => {
    expect(problemsOf({ contacts: [{ email: 'SOC@Example.VN' }, { email: 'soc@example.vn', language: 'en' }] }))
      .toEqual(['contacts[1].email: duplicate of contacts[0]']);
    expect(problemsOf({ contacts: [{ webhook: 'https://Hooks.Example.VN' }, { webhook: 'https://hooks.example.vn/', secret: SECRET }] }))
      .toEqual(['contacts[1].webhook: duplicate of contacts[0]']);
  });

  it('accepts only http and https webhooks, secrets of 16 to 256 characters', () => {
    for (const url of ['javascript:alert(1)', 'file:///etc/passwd', 'mailto:soc@example.vn', 'ws://x.example.vn/', 'not a url', '']) {
      expect(problemsOf({ contacts: [{ webhook: url }] })).toHaveLength(1);
    }
    expect(problemsOf({ contacts: [{ webhook: 'https://x.example.vn/', secret: 'x'.repeat(257) }] })).toEqual(['contacts[0].secret: expected 16 to 256 characters']);
    expect(problemsOf({ contacts: [{ webhook: 'https://x.example.vn/', secret: 1234567890123456 }] })).toEqual(['contacts[0].secret: expected 16 to 256 characters']);
    expect(validateContacts({ contacts: [{ webhook: ' https://x.example.vn ', secret: 'x'.repeat(256) }, { webhook: 'https://y.example.vn/', secret: 'y'.repeat(16) }] }))
      .toEqual([{ kind: 'webhook', url: 'https://x.example.vn/', secret: 'x'.repeat(256) }, { kind: 'webhook', url: 'https://y.example.vn/', secret: 'y'.repeat(16) }]);
    expect(validateContacts({ contacts: [{ webhook: 'https://x.example.vn/', secret: null }] })).toEqual([{ kind: 'webhook', url: 'https://x.example.vn/', secret: null }]);
  });
});

describe('normalizeEmail', () => {
  it.each([
    ['soc@example.vn', 'soc@example.vn'],
    [' Soc.Team+alerts@Mail.Example.VN ', 'Soc.Team+alerts@mail.example.vn'],
    ['trực-ban@example.vn', null],
    ['soc@bộ-công-an.vn', 'soc@xn--b-cng-an-63a1467e.vn'],
    ['soc@localhost', null],
    ['soc@example', null],
    ['soc@127.0.0.1', null],
    ['@example.vn', null],
    ['soc@', null],
    ['a@b@example.vn', null],
    ['.soc@example.vn', null],
    ['so..c@example.vn', null],
    ['soc @example.vn', null],
    ['soc@-example.vn', null],
    ['soc@example..vn', null],
    ['soc@example.vn\r\nBcc: x@y.vn', null],
    [`${'a'.repeat(65)}@example.vn`, null],
  ])('%j → %j', (input, expected) => {
    expect(normalizeEmail(input)).toBe(expected);
  });
});

describe('DirectoryService contacts', () => {
  let directory: DirectoryService;

  beforeEach(async () => {
    directory = new DirectoryService(new MemoryDirectoryStore(), new FakeClock(Date.UTC(2026, 10, 23)));
    await directory.createLocality({ code: 'VN', name: 'Trung ương', level: 'central' });
    await directory.createLocality({ code: '01', name: 'Hà Nội', level: 'province', parent_code: 'VN' });
    await directory.createLocality({ code: '00004', name: 'Phường Ba Đình', level: 'commune', parent_code: '01' });
    await directory.createLocality({ code: '79', name: 'TP Hồ Chí Minh', level: 'province', parent_code: 'VN' });
  });

  it('sets, replaces and reads the contacts of a locality in scope; workers read them without a scope', async () => {
    const set = await directory.setContacts('00004', { contacts: [{ email: 'soc@Example.VN' }, { webhook: 'https://h.example.vn/', secret: SECRET }] }, localityScope(['01']));
    expect(set).toEqual([{ kind: 'email', address: 'soc@example.vn', language: 'vi' }, { kind: 'webhook', url: 'https://h.example.vn/', secret: SECRET }]);
    expect(await directory.getContacts('00004', localityScope(['00004']))).toEqual(set);
    expect(await directory.contactsOf('00004')).toEqual(set);
    await directory.setContacts('00004', { contacts: [{ email: 'new@example.vn', language: 'en' }] }, ALL_SCOPE);
    expect(await directory.contactsOf('00004')).toEqual([{ kind: 'email', address: 'new@example.vn', language: 'en' }]);
    expect(await directory.getContacts('01', ALL_SCOPE)).toEqual([]);
    expect(await directory.contactsOf('nowhere')).toEqual([]);
  });

  it('answers not found for an unknown locality or one outside the scope, and changes nothing', async () => {
    const body = { contacts: [{ email: 'soc@example.vn' }] };
    await expect(directory.setContacts('99', body, ALL_SCOPE)).rejects.toMatchObject({ kind: 'not_found' });
    await expect(directory.setContacts('00004', body, localityScope(['79']))).rejects.toMatchObject({ kind: 'not_found' });
    await expect(directory.getContacts('00004', localityScope(['79']))).rejects.toMatchObject({ kind: 'not_found' });
    await expect(directory.setContacts('01', body, localityScope(['00004']))).rejects.toMatchObject({ kind: 'not_found' });
    expect(await directory.contactsOf('00004')).toEqual([]);
    expect(await directory.contactsOf('01')).toEqual([]);
  });

  it('keeps the old list when the new one is invalid', async () => {
    await directory.setContacts('01', { contacts: [{ email: 'soc@example.vn' }] }, ALL_SCOPE);
    await expect(directory.setContacts('01', { contacts: [{ email: 'x@example.vn', language: 'fr' }] }, ALL_SCOPE)).rejects.toMatchObject({ kind: 'invalid' });
    expect(await directory.contactsOf('01')).toEqual([{ kind: 'email', address: 'soc@example.vn', language: 'vi' }]);
  });
});

/** Tokens of the fake authentication, as in src/incidents/routes.test.ts. */
const SCOPES: Record<string, Scope> = { admin: ALL_SCOPE, commune4: localityScope(['00004']), province79: localityScope(['79']) };

describe('contacts routes', () => {
  let app: FastifyInstance;
  let directory: DirectoryService;

  beforeEach(async () => {
    directory = new DirectoryService(new MemoryDirectoryStore(), new FakeClock(Date.UTC(2026, 10, 23)));
    await directory.createLocality({ code: '01', name: 'Hà Nội', level: 'province' });
    await directory.createLocality({ code: '00004', name: 'Phường Ba Đình', level: 'commune', parent_code: '01' });
    await directory.createLocality({ code: '79', name: 'TP Hồ Chí Minh', level: 'province' });
    app = baseApp({ maxBodyBytes: 1024 * 1024 });
    const authenticate = async (request: FastifyRequest) => {
      const scope = SCOPES[request.headers.authorization?.replace(/^Bearer /, '') ?? ''];
      if (!scope) throw errors.missingCredentials('Authorization: Bearer <token>');
      request.scope = scope;
      // The admin token, or a locality admin of the scope's locality (who may manage its sources and contacts).
      request.principal = scope.kind === 'all' ? { kind: 'admin_token' } : { kind: 'user', id: 'usr_test', username: 'locality-admin', role: 'locality_admin' };
    };
    await app.register(directoryRoutes, { prefix: '/api/v1', directory, search: {} as EventSearchService, authenticate });
    await app.ready();
  });
  afterEach(() => app.close());

  const put = (code: string, payload: unknown, who = 'admin') =>
    app.inject({ method: 'PUT', url: `/api/v1/localities/${code}/contacts`, headers: { authorization: `Bearer ${who}` }, payload: payload as object });
  const get = (code: string, who = 'admin') => app.inject({ method: 'GET', url: `/api/v1/localities/${code}/contacts`, headers: { authorization: `Bearer ${who}` } });

  it('replaces the contacts and answers them in the input shape, never with the secret', async () => {
    const res = await put('00004', { contacts: [{ email: 'soc@Example.VN', language: 'en' }, { webhook: 'https://hooks.example.vn/canh', secret: SECRET }, { webhook: 'http://10.0.0.5/h' }, { email: 'duty@example.vn' }] });
    expect(res.statusCode).toBe(200);
    const expected = {
      code: '00004',
      contacts: [
        { email: 'soc@example.vn', language: 'en' },
        { webhook: 'https://hooks.example.vn/canh', secret_set: true },
        { webhook: 'http://10.0.0.5/h', secret_set: false },
        { email: 'duty@example.vn', language: 'vi' },
      ],
    };
    expect(res.json()).toEqual(expected);
    expect(res.body).not.toContain(SECRET);
    const read = await get('00004', 'commune4');
    expect(read.statusCode).toBe(200);
    expect(read.json()).toEqual(expected);
    expect(read.body).not.toContain(SECRET);
    expect((await put('00004', { contacts: [] })).json()).toEqual({ code: '00004', contacts: [] });
    expect((await get('00004')).json()).toEqual({ code: '00004', contacts: [] });
  });

  it('answers 400 with every problem and its position', async () => {
    const res = await put('01', { contacts: [{ email: 'soc@example.vn' }, { email: 'x@example.vn', language: 'fr' }, { webhook: 'ftp://x.example.vn/' }] });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({
      code: 'CANH_REQUEST_INVALID',
      details: { problems: ['contacts[1].language: expected vi or en', 'contacts[2].webhook: the ftp scheme is not allowed; use https (or http)'] },
    });
    expect((await put('01', [1, 2])).statusCode).toBe(400);
  });

  it('answers 404 for an unknown locality or one outside the scope, and 401 without credentials', async () => {
    expect((await put('99', { contacts: [] })).statusCode).toBe(404);
    expect((await put('00004', { contacts: [] }, 'province79')).statusCode).toBe(404);
    expect((await get('01', 'commune4')).statusCode).toBe(404);
    expect((await get('79', 'province79')).json()).toEqual({ code: '79', contacts: [] });
    const anonymous = await app.inject({ method: 'GET', url: '/api/v1/localities/01/contacts' });
    expect(anonymous.statusCode).toBe(401);
  });
});
