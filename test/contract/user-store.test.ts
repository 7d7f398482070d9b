import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDbUserStore } from '../../src/store/duckdb/user-store';
import { MemoryUserStore } from '../../src/store/memory/user-store';
import { userStoreContract } from './user-store.contract';

userStoreContract('memory', async () => {
  const store = new MemoryUserStore();
  await store.init();
  return { store };
}, false);

userStoreContract('duckdb', async () => {
  const path = join(mkdtempSync(join(tmpdir(), 'canh-users-')), 'users.duckdb');
  const open = async () => {
    const s = new DuckDbUserStore({ path });
    await s.init();
    return s;
  };
  return { store: await open(), reopen: open };
}, true);
