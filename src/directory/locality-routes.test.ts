import type { FastifyInstance, FastifyRequest } from 'fastify';
import { AppError, errors } from '../errors';
import type { EventSearchService } from '../events/search-service';
import { baseApp } from '../http/build-app';
import { FakeClock } from '../lib/clock';
import { MemoryDirectoryStore } from '../store/memory/directory-store';
import { ALL_SCOPE, localityScope, type Scope } from '../store/scope';
import { DirectoryService } from './directory-service';
import { directoryRoutes } from './routes';

const T0 = Date.UTC(2026, 10, 23);
/** Tokens of the fake authentication: the admin token (whole tree), an analyst of a province, of a commune. */
const SCOPES: Record<string, Scope> = { admin: ALL_SCOPE, province01: localityScope(['01']), commune4: localityScope(['00004']) };
type Who = keyof typeof SCOPES;

const TREE_CSV = [
  'code,name,level,parent_code',
  'VN,Trung ương,central,',
  '79,TP Hồ Chí Minh,province,VN',
  '01,Hà Nội,province,VN',
  '00004,Phường Ba Đình,commune,01',
  '00001,"Phường Phúc Xá, Ba Đình",commune,01',
  '26734,Phường Bến Thành,commune,79',
].join('\r\n');

describe('DirectoryService.importLocalities', () => {
  let store: MemoryDirectoryStore;
  let directory: DirectoryService;

  beforeEach(() => {
    store = new MemoryDirectoryStore();
    directory = new DirectoryService(store, new FakeClock(T0));
  });

  it('creates every row, parents first, with its province', async () => {
    expect(await directory.importLocalities(TREE_CSV)).toEqual({ created: 6 });
    expect(await store.getLocality('00001', ALL_SCOPE)).toEqual({
      code: '00001', name: 'Phường Phúc Xá, Ba Đình', level: 'commune', parentCode: '01', provinceCode: '01', createdAt: T0,
    });
    expect(await store.getLocality('79', ALL_SCOPE)).toMatchObject({ parentCode: 'VN', provinceCode: '79' });
    expect(await directory.importLocalities('00002,Trúc Bạch,commune,01\n')).toEqual({ created: 1 });
  });

  it('reports every bad row as problems (strings) and rows (objects), and imports nothing', async () => {
    await directory.importLocalities('VN,Trung ương,central,\n01,Hà Nội,province,VN');
    const err = await directory.importLocalities('00004,Ba Đình,commune,01\n01,Hà Nội,province,VN\n00005,X,commune,02\nA,a,commune,A').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AppError);
    expect(err).toMatchObject({ kind: 'invalid', code: 'CANH_REQUEST_INVALID', message: 'The CSV has 3 bad rows; nothing was imported' });
    expect((err as AppError).details).toEqual({
      problems: [
        'line 2: code: code 01 already exists',
        'line 3: parent_code: unknown parent_code 02: neither in this file nor an existing locality',
        'line 4: parent_code: cycle: A → A',
      ],
      rows: [
        { line: 2, code: '01', field: 'code', message: 'code 01 already exists' },
        { line: 3, code: '00005', field: 'parent_code', message: 'unknown parent_code 02: neither in this file nor an existing locality' },
        { line: 4, code: 'A', field: 'parent_code', message: 'cycle: A → A' },
      ],
    });
    expect((await store.listLocalities(ALL_SCOPE)).map((l) => l.code)).toEqual(['01', 'VN']);
  });
});

describe('locality routes', () => {
  let directory: DirectoryService;
  let app: FastifyInstance;

  beforeEach(async () => {
    directory = new DirectoryService(new MemoryDirectoryStore(), new FakeClock(T0));
    app = baseApp({ maxBodyBytes: 1024 * 1024 });
    const authenticate = async (request: FastifyRequest) => {
      const scope = SCOPES[request.headers.authorization?.replace(/^Bearer /, '') ?? ''];
      if (!scope) throw errors.missingCredentials('Authorization: Bearer <token>');
      request.scope = scope;
      request.principal = scope.kind === 'all' ? { kind: 'admin_token' } : { kind: 'user', id: 'usr_test', username: 'analyst', role: 'analyst' };
    };
    await app.register(directoryRoutes, { prefix: '/api/v1', directory, search: {} as EventSearchService, authenticate });
    await app.ready();
  });
  afterEach(() => app.close());

  const get = (url: string, who: Who = 'admin') => app.inject({ method: 'GET', url: `/api/v1${url}`, headers: { authorization: `Bearer ${who}` } });
  const importCsv = (csv: string, who: Who = 'admin') =>
    app.inject({ method: 'POST', url: '/api/v1/localities/import', headers: { authorization: `Bearer ${who}`, 'content-type': 'text/csv' }, payload: csv });
  const commune = (code: string, name: string) => ({ code, name, level: 'commune', communes: 0, children: [] });

  it('imports a CSV (admins only) and answers 400 listing every bad row', async () => {
    expect((await importCsv(TREE_CSV, 'province01')).statusCode).toBe(403);
    expect((await importCsv(TREE_CSV)).json()).toEqual({ created: 6 });
    const bad = await importCsv('code,name,level,parent_code\n00009,"Kim Mã,commune,01\n00004,Ba Đình,commune,01\n');
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({
      code: 'CANH_REQUEST_INVALID',
      details: {
        problems: ['line 2: row: unterminated quote: the cell opened at column 7 has no closing "', 'line 3: code: code 00004 already exists'],
        rows: [
          { line: 2, code: '', field: 'row', message: 'unterminated quote: the cell opened at column 7 has no closing "' },
          { line: 3, code: '00004', field: 'code', message: 'code 00004 already exists' },
        ],
      },
    });
  });

  it("answers the whole tree to the central locality's callers, nested and sorted by code, with commune counts", async () => {
    await importCsv(TREE_CSV);
    const res = await get('/localities/tree');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      roots: [{
        code: 'VN', name: 'Trung ương', level: 'central', communes: 3,
        children: [
          { code: '01', name: 'Hà Nội', level: 'province', communes: 2, children: [commune('00001', 'Phường Phúc Xá, Ba Đình'), commune('00004', 'Phường Ba Đình')] },
          { code: '79', name: 'TP Hồ Chí Minh', level: 'province', communes: 1, children: [commune('26734', 'Phường Bến Thành')] },
        ],
      }],
    });
  });

  it('answers a province user their province with its communes, a commune user only their commune', async () => {
    await importCsv(TREE_CSV);
    expect((await get('/localities/tree', 'province01')).json()).toEqual({
      roots: [{ code: '01', name: 'Hà Nội', level: 'province', communes: 2, children: [commune('00001', 'Phường Phúc Xá, Ba Đình'), commune('00004', 'Phường Ba Đình')] }],
    });
    expect((await get('/localities/tree', 'commune4')).json()).toEqual({ roots: [commune('00004', 'Phường Ba Đình')] });
  });

  it('answers one locality in scope with its parent and children codes', async () => {
    await importCsv(TREE_CSV);
    expect((await get('/localities/01', 'province01')).json()).toEqual({
      code: '01', name: 'Hà Nội', level: 'province', parent_code: 'VN', province_code: '01', created_at: new Date(T0).toISOString(), children: ['00001', '00004'],
    });
    expect((await get('/localities/VN')).json()).toMatchObject({ code: 'VN', parent_code: null, children: ['01', '79'] });
    expect((await get('/localities/00004', 'commune4')).json()).toMatchObject({ code: '00004', parent_code: '01', children: [] });
  });

  it('answers 404 CANH_NOT_FOUND alike for a locality outside the scope and an unknown one', async () => {
    await importCsv(TREE_CSV);
    const outside = await get('/localities/79', 'province01');
    const unknown = await get('/localities/99', 'province01');
    for (const res of [outside, unknown, await get('/localities/01', 'commune4'), await get('/localities/VN', 'commune4')]) {
      expect(res.statusCode).toBe(404);
      expect(res.json().code).toBe('CANH_NOT_FOUND');
    }
    const shape = (body: { message: string; details: object }) => ({ ...body, message: body.message.replace(/\d+/, 'N'), details: { ...body.details, id: 'N' } });
    const { requestId: _a, ...a } = outside.json();
    const { requestId: _b, ...b } = unknown.json();
    expect(shape(a)).toEqual(shape(b));
  });

  it('routes /localities/tree to the tree even when a locality is coded "tree"', async () => {
    await importCsv('VN,Trung ương,central,\ntree,Tỉnh Tree,province,VN');
    expect((await get('/localities/tree')).json()).toMatchObject({ roots: [{ code: 'VN', children: [{ code: 'tree' }] }] });
    expect((await get('/localities/tree/contacts')).json()).toEqual({ code: 'tree', contacts: [] });
  });

  it('answers an empty tree to a caller whose scope holds nothing', async () => {
    expect((await get('/localities/tree', 'commune4')).json()).toEqual({ roots: [] });
  });

  it("imports a country's 20,000 communes (over 1 MiB) and serves its tree", async () => {
    const lines = ['code,name,level,parent_code', 'VN,Trung ương,central,'];
    for (let p = 1; p <= 63; p++) lines.push(`P${String(p).padStart(2, '0')},Tỉnh ${p},province,VN`);
    for (let c = 1; c <= 20_000; c++) lines.push(`${String(c).padStart(5, '0')},Phường số ${c} của thành phố,commune,P${String((c % 63) + 1).padStart(2, '0')}`);
    const csv = lines.join('\n');
    expect(Buffer.byteLength(csv)).toBeGreaterThan(1024 * 1024);
    expect((await importCsv(csv)).json()).toEqual({ created: 20_064 });
    const tree = (await get('/localities/tree')).json();
    expect(tree.roots).toHaveLength(1);
    expect(tree.roots[0].communes).toBe(20_000);
    expect(tree.roots[0].children.map((p: { code: string }) => p.code)).toEqual(Array.from({ length: 63 }, (_, i) => `P${String(i + 1).padStart(2, '0')}`));
    expect(tree.roots[0].children[0]).toMatchObject({ code: 'P01', communes: 317 });
  });
});
