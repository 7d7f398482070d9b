import { validateSourceInput } from '../directory/validate';
import { MemoryDirectoryStore } from '../store/memory/directory-store';
import { ALL_SCOPE, localityScope } from '../store/scope';
import { SyslogSettingsService } from './syslog-settings';

const base = { locality: '00004', province: '01', kind: 'access' as const, enabled: true, keyPrefix: 'canh_x', createdAt: 0 };

describe('SyslogSettingsService', () => {
  let store: MemoryDirectoryStore;
  let service: SyslogSettingsService;
  beforeEach(async () => {
    store = new MemoryDirectoryStore();
    await store.createSource({ ...base, id: 'src_sys', name: 'sys', format: 'syslog', keyHash: 'h1' });
    await store.createSource({ ...base, id: 'src_web', name: 'web', format: 'nginx_combined', keyHash: 'h2' });
    service = new SyslogSettingsService(store);
  });

  it('sets settings on a syslog source in scope, deduplicating senders, and clears them with null', async () => {
    const s = await service.set('src_sys', { senders: ['10.0.0.0/24', '10.0.0.0/24', '2001:db8::1'], token: 'dvc_hai_chau_01' }, localityScope(['01']));
    expect(s.syslog).toEqual({ senders: ['10.0.0.0/24', '2001:db8::1'], token: 'dvc_hai_chau_01' });
    expect((await service.set('src_sys', null, ALL_SCOPE)).syslog).toBeUndefined();
  });

  it('names every problem, refuses other formats, out-of-scope sources and a token already taken', async () => {
    await expect(service.set('src_sys', { senders: ['example.org', '10.0.0.0/33'], token: 'short', extra: 1 }, ALL_SCOPE)).rejects.toMatchObject({
      kind: 'invalid',
      details: { problems: ['syslog.extra: unknown setting (senders, token)', expect.stringContaining('syslog.senders[0]'), expect.stringContaining('syslog.senders[1]'), expect.stringContaining('syslog.token')] },
    });
    await expect(service.set('src_sys', {}, ALL_SCOPE)).rejects.toMatchObject({ kind: 'invalid', message: expect.stringContaining('give senders, a token, or both') });
    await expect(service.set('src_web', { senders: ['10.0.0.1'] }, ALL_SCOPE)).rejects.toMatchObject({ kind: 'invalid', message: expect.stringContaining('format nginx_combined') });
    await expect(service.set('src_sys', { senders: ['10.0.0.1'] }, localityScope(['79']))).rejects.toMatchObject({ kind: 'not_found' });
    await service.set('src_sys', { token: 'dvc_hai_chau_01' }, ALL_SCOPE);
    await expect(service.checkTokenFree({ token: 'dvc_hai_chau_01' })).rejects.toMatchObject({ kind: 'conflict' });
  });

  it('lets a new source be of format syslog with settings, and only then', () => {
    expect(validateSourceInput({ name: 'a', locality: '00004', kind: 'access', format: 'syslog', syslog: { senders: ['192.0.2.10'] } }))
      .toMatchObject({ format: 'syslog', syslog: { senders: ['192.0.2.10'], token: null } });
    expect(() => validateSourceInput({ name: 'a', locality: '00004', kind: 'access', format: 'nginx_combined', syslog: { senders: ['192.0.2.10'] } })).toThrow('only sources of format syslog');
    expect(() => validateSourceInput({ name: 'a', locality: '00004', kind: 'otp', format: 'syslog' })).toThrow('format must be json');
  });
});
