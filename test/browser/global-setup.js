// Builds the console once for the whole browser project: every test file building it would
// rewrite dist/console while another file's Chromium loads it.
const { execFileSync } = require('node:child_process');
const { join } = require('node:path');

module.exports = async () => {
  const root = join(__dirname, '..', '..');
  execFileSync(process.execPath, [join(root, 'console', 'build.js')], { cwd: root, stdio: 'pipe' });
  process.env.CANH_CONSOLE_BUILT = '1';
};
