#!/usr/bin/env node
// Adds to package-lock.json the platform-specific optional packages (native binaries for other
// systems) that the npm registry mirror of this build machine does not serve, so that `npm ci`
// accepts the lock file everywhere: on Linux x64 they are skipped as platform-incompatible, on other
// systems npm fetches them by version. Run after `npm install` changes the lock file.
const fs = require('node:fs');
const path = require('node:path');

const file = path.join(__dirname, '..', 'package-lock.json');
const lock = JSON.parse(fs.readFileSync(file, 'utf8'));
const PLATFORM = /(darwin|linux|win32|freebsd|android)-(x64|arm64|arm|ia32|ppc64|s390x|riscv64)(?:-(musl|gnu|gnueabihf|msvc))?$/;
let added = 0;
for (const [key, pkg] of Object.entries(lock.packages)) {
  for (const [name, version] of Object.entries(pkg.optionalDependencies ?? {})) {
    const at = `node_modules/${name}`;
    if (lock.packages[at] || lock.packages[`${key}/node_modules/${name}`]) continue;
    const m = PLATFORM.exec(name);
    if (!m) continue;
    const entry = { version, optional: true, os: [m[1]], cpu: [m[2]] };
    if (m[3] === 'musl') entry.libc = ['musl'];
    if (m[3] === 'gnu' || m[3] === 'gnueabihf') entry.libc = ['glibc'];
    lock.packages[at] = entry;
    added++;
  }
}
lock.packages = Object.fromEntries(Object.entries(lock.packages).sort(([a], [b]) => (a === '' ? -1 : b === '' ? 1 : a < b ? -1 : 1)));
fs.writeFileSync(file, JSON.stringify(lock, null, 2) + '\n');
console.log(`complete-lockfile: added ${added} platform packages`);
