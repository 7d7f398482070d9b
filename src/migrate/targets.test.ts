import { ADAPTERS_MISSING, loadStoreClass } from './targets';

describe('loadStoreClass', () => {
  it('answers that the adapters are not in this build when the module is missing', async () => {
    await expect(loadStoreClass('no-such-store', 'ElasticsearchNoSuchStore')).rejects.toThrow(ADAPTERS_MISSING);
    await expect(loadStoreClass('no-such-store', 'ElasticsearchNoSuchStore')).rejects.toMatchObject({ kind: 'invalid' });
  });

  it('finds a store class by its name, or the one class named *Store of the module', async () => {
    const found = await loadStoreClass('memory/directory-store', 'ElasticsearchDirectoryStore', '../store');
    expect(found.name).toBe('MemoryDirectoryStore');
    await expect(loadStoreClass('format', 'AnyStore', '.')).rejects.toThrow(`${ADAPTERS_MISSING} (format exports no AnyStore)`);
  });
});
