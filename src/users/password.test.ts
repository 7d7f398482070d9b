import { hashPassword, verifyDummyPassword, verifyPassword } from './password';

describe('password hashing (scrypt)', () => {
  it('stores scrypt$N$r$p$salt$hash with N=16384, r=8, p=1, a 16-byte salt and a 64-byte key', async () => {
    const stored = await hashPassword('correct horse battery');
    const [alg, N, r, p, salt, key] = stored.split('$');
    expect([alg, N, r, p]).toEqual(['scrypt', '16384', '8', '1']);
    expect(Buffer.from(salt, 'base64')).toHaveLength(16);
    expect(Buffer.from(key, 'base64')).toHaveLength(64);
  });

  it('verifies the right password and refuses a wrong one; two hashes of one password differ (salt)', async () => {
    const a = await hashPassword('correct horse battery');
    const b = await hashPassword('correct horse battery');
    expect(a).not.toBe(b);
    expect(await verifyPassword('correct horse battery', a)).toBe(true);
    expect(await verifyPassword('correct horse batterY', a)).toBe(false);
  });

  it('treats precomposed and decomposed Vietnamese letters alike (NFC)', async () => {
    const stored = await hashPassword('mật khẩu rất dài'.normalize('NFD'));
    expect(await verifyPassword('mật khẩu rất dài'.normalize('NFC'), stored)).toBe(true);
  });

  it('refuses malformed hashes and absurd parameters without throwing', async () => {
    expect(await verifyPassword('x', 'plain')).toBe(false);
    expect(await verifyPassword('x', 'scrypt$16384$8$1$$')).toBe(false);
    expect(await verifyPassword('x', `scrypt$${2 ** 24}$8$1$c2FsdHNhbHRzYWx0c2FsdA==$${Buffer.alloc(64).toString('base64')}`)).toBe(false);
    expect(await verifyPassword('x', `scrypt$1000$8$1$c2FsdHNhbHRzYWx0c2FsdA==$${Buffer.alloc(64).toString('base64')}`)).toBe(false);
  });

  it('the dummy verification always answers false', async () => {
    expect(await verifyDummyPassword('anything at all')).toBe(false);
  });
});
