#!/usr/bin/env bash
# Checks the deployment files without a Docker engine:
#   1. docker-compose.yml: Debian's docker-compose (1.29) `config` accepts it with .env.example's
#      settings, and refuses it, naming the secret, while .env.example's secrets are still empty;
#   2. deploy/k8s/**.yaml: every document parses, has apiVersion, kind and metadata.name, no namespace;
#   3. deploy/Dockerfile: its last USER is not root;
#   4. deploy/redis/redis.conf: append-only file on, maxmemory-policy noeviction.
# Exits non-zero with the reason on the first failure. Usage: scripts/check-deploy.sh
set -euo pipefail
cd "$(dirname "$0")/.."

fail() { printf '[check-deploy] FAILED: %s\n' "$*" >&2; exit 1; }
ok() { printf '[check-deploy] ok: %s\n' "$*"; }

# --- 1. docker-compose.yml ---------------------------------------------------------------------
if ! command -v docker-compose >/dev/null 2>&1; then
  [ "$(id -u)" = 0 ] || fail "docker-compose is not installed (apt-get install docker-compose, as root)"
  printf '[check-deploy] installing Debian'"'"'s docker-compose\n'
  export DEBIAN_FRONTEND=noninteractive
  # apt-get update only when the package lists do not know docker-compose yet.
  apt-get install -y -qq docker-compose >/dev/null 2>&1 \
    || { apt-get update -qq >/dev/null 2>&1 && apt-get install -y -qq docker-compose >/dev/null 2>&1; } \
    || fail "could not install docker-compose with apt-get"
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# Compose reads variables from the shell before the env file: check with .env.example's only.
unset_vars=$(sed -n 's/^\([A-Z_][A-Z0-9_]*\)=.*/-u \1/p' .env.example | tr '\n' ' ')
compose() { env $unset_vars docker-compose -f docker-compose.yml --env-file "$1" config -q 2>"$tmp/err"; }

# .env.example as shipped: its secrets are empty, so compose must refuse and say which one.
if compose .env.example; then
  fail "docker-compose.yml accepts .env.example with empty secrets: every secret needs \${VAR:?message}"
fi
grep -q 'set [A-Z_]* in .env' "$tmp/err" || fail "docker-compose refused .env.example without naming the secret: $(cat "$tmp/err")"
ok "docker-compose.yml refuses empty secrets ($(grep -o 'set [A-Z_]* in .env' "$tmp/err" | head -1))"

# .env.example with its secrets filled in, as a user's .env would be.
sed -e 's/^\(ELASTIC_PASSWORD\|REDIS_PASSWORD\)=$/\1=check0deploy0password0123/' \
    -e 's/^\(CANH_ADMIN_TOKEN\|CANH_PII_SALT\)=$/\1=check-deploy-secret-0123456789/' .env.example >"$tmp/env"
compose "$tmp/env" || fail "docker-compose config refuses docker-compose.yml: $(cat "$tmp/err")"
ok "docker-compose.yml is valid for $(docker-compose version --short) with .env.example's settings"

# --- 2. Kubernetes manifests ---------------------------------------------------------------------
# With the yaml package of node_modules; before `npm ci` (a fresh CI machine), with Python's yaml,
# which Debian's docker-compose depends on.
if node -e "require.resolve('yaml')" >/dev/null 2>&1; then
node - <<'JS' || fail "deploy/k8s manifests (see above)"
const { readdirSync, readFileSync, statSync } = require('node:fs');
const { join } = require('node:path');
const YAML = require('yaml');
const files = [];
const walk = (dir) => { for (const n of readdirSync(dir)) { const p = join(dir, n); if (statSync(p).isDirectory()) walk(p); else if (/\.ya?ml$/.test(n)) files.push(p); } };
walk('deploy/k8s');
if (!files.length) { console.error('no YAML file under deploy/k8s'); process.exit(1); }
let problems = 0, count = 0;
for (const file of files) {
  for (const doc of YAML.parseAllDocuments(readFileSync(file, 'utf8'))) {
    if (doc.errors.length) { console.error(`${file}: ${doc.errors[0].message}`); problems++; continue; }
    const m = doc.toJS();
    if (m === null) continue;
    count++;
    for (const [what, value] of [['apiVersion', m.apiVersion], ['kind', m.kind], ['metadata.name', m.metadata && m.metadata.name]]) {
      if (typeof value !== 'string' || !value) { console.error(`${file}: a ${m.kind || 'document'} without ${what}`); problems++; }
    }
    if (m.metadata && m.metadata.namespace) { console.error(`${file}: ${m.kind} ${m.metadata.name} sets a namespace (the manifests are namespace-free)`); problems++; }
  }
}
if (problems) process.exit(1);
console.log(`[check-deploy] ok: ${count} Kubernetes objects in ${files.length} files under deploy/k8s`);
JS
else
python3 - <<'PY' || fail "deploy/k8s manifests (see above)"
import pathlib, sys, yaml
files = sorted(p for p in pathlib.Path('deploy/k8s').rglob('*') if p.suffix in ('.yaml', '.yml'))
problems, count = 0, 0
for f in files:
    try:
        docs = [d for d in yaml.safe_load_all(f.read_text()) if d is not None]
    except yaml.YAMLError as e:
        print(f'{f}: {e}', file=sys.stderr); problems += 1; continue
    for m in docs:
        count += 1
        meta = m.get('metadata') or {}
        for what, value in (('apiVersion', m.get('apiVersion')), ('kind', m.get('kind')), ('metadata.name', meta.get('name'))):
            if not isinstance(value, str) or not value:
                print(f"{f}: a {m.get('kind') or 'document'} without {what}", file=sys.stderr); problems += 1
        if meta.get('namespace'):
            print(f"{f}: {m.get('kind')} {meta.get('name')} sets a namespace (the manifests are namespace-free)", file=sys.stderr); problems += 1
if not files or problems:
    sys.exit(1)
print(f'[check-deploy] ok: {count} Kubernetes objects in {len(files)} files under deploy/k8s')
PY
fi

# --- 3. Dockerfile runs as a non-root user --------------------------------------------------------
user=$(sed -n 's/^[[:space:]]*USER[[:space:]]\{1,\}\([^[:space:]]*\).*/\1/p' deploy/Dockerfile | tail -1)
[ -n "$user" ] || fail "deploy/Dockerfile has no USER: the image would run as root"
case "${user%%:*}" in root | 0) fail "deploy/Dockerfile's last USER is $user" ;; esac
ok "deploy/Dockerfile runs as USER $user"

# --- 4. Redis settings BullMQ needs ----------------------------------------------------------------
grep -Eq '^[[:space:]]*appendonly[[:space:]]+yes\b' deploy/redis/redis.conf || fail "deploy/redis/redis.conf: appendonly yes is missing"
grep -Eq '^[[:space:]]*maxmemory-policy[[:space:]]+noeviction\b' deploy/redis/redis.conf || fail "deploy/redis/redis.conf: maxmemory-policy noeviction is missing (BullMQ needs it)"
ok "deploy/redis/redis.conf has appendonly yes and maxmemory-policy noeviction"
