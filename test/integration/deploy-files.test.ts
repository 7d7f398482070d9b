import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Fastify from 'fastify';
import { parse, parseAllDocuments } from 'yaml';
import { ROLES } from '../../src/app/start';
import { loadConfig } from '../../src/config/load-config';
import { CONFIG_SCHEMA } from '../../src/config/schema';
import { healthRoutes } from '../../src/http/health-routes';
import { Metrics } from '../../src/lib/metrics';

/**
 * What an operator relies on in docker-compose.yml, .env.example, deploy/ (no Docker needed): the
 * settings given to Canh exist and validate, the roles and probe paths are real, workers scale,
 * Redis keeps what it holds. A rename in the code breaks these tests, not a deployment.
 */
const ROOT = join(__dirname, '..', '..');
const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');
const KNOWN_ENV = new Set(Object.values(CONFIG_SCHEMA).map((f) => f.env));
const CANH_SERVICES = ['canh-api', 'canh-worker', 'canh'];

interface Service {
  image?: string;
  command?: string[];
  environment?: Record<string, string | number>;
  ports?: string[];
  container_name?: string;
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test?: string[]; disable?: boolean };
  volumes?: string[];
}
const compose = parse(read('docker-compose.yml'), { merge: true }) as { services: Record<string, Service> };
const services = compose.services;

/** .env.example's settings, with the secrets a user must fill in filled in. */
function exampleEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const line of read('.env.example').split('\n')) {
    const m = /^([A-Z_][A-Z0-9_]*)=(.*)$/.exec(line);
    if (m) env[m[1]] = m[2];
  }
  for (const secret of ['ELASTIC_PASSWORD', 'REDIS_PASSWORD', 'CANH_ADMIN_TOKEN', 'CANH_PII_SALT']) env[secret] ||= `test-${secret.toLowerCase()}-0123456789`;
  return env;
}

/** Compose's interpolation: ${V}, ${V:-default}, ${V-default}, ${V:?error}, ${V?error}, $$. */
function interpolate(value: string, env: Record<string, string>): string {
  return value.replace(/\$\$|\$\{([A-Z_][A-Z0-9_]*)(?:(:?[-?])([^}]*))?\}/g, (all, name: string | undefined, op: string | undefined, arg: string | undefined) => {
    if (!name) return '$';
    const v = env[name];
    const missing = v === undefined || (op?.startsWith(':') === true && v === '');
    if (op?.endsWith('?') && missing) throw new Error(`${name}: ${arg}`);
    return missing && op ? (op.endsWith('-') ? (arg as string) : '') : (v ?? '');
  });
}

const roleListsOf = (args: string[] | undefined) => {
  const i = (args ?? []).indexOf('--roles');
  return i < 0 ? [...ROLES] : (args as string[])[i + 1].split(',');
};

const k8sDocs = (file: string) => parseAllDocuments(read(join('deploy/k8s', file))).map((d) => d.toJS() as Record<string, any>);
const k8sObject = (file: string, kind: string) => k8sDocs(file).find((d) => d.kind === kind) as Record<string, any>;
const container = (file: string) => k8sObject(file, 'Deployment').spec.template.spec.containers[0];

describe('docker-compose.yml', () => {
  it('gives Canh only variables that Canh reads', () => {
    for (const name of CANH_SERVICES) {
      const unknown = Object.keys(services[name].environment ?? {}).filter((k) => !KNOWN_ENV.has(k));
      expect({ service: name, unknown }).toEqual({ service: name, unknown: [] });
    }
  });

  it("gives each Canh service a configuration that passes Canh's own validation, with the Elasticsearch store for api and workers", () => {
    const env = exampleEnv();
    for (const name of CANH_SERVICES) {
      const resolved = Object.fromEntries(Object.entries(services[name].environment ?? {}).map(([k, v]) => [k, interpolate(String(v), env)]));
      const config = loadConfig(resolved);
      expect(config.store).toBe(name === 'canh' ? 'duckdb' : 'elasticsearch');
      expect(config.redisUrl).toBe(`redis://:${env.REDIS_PASSWORD}@redis:6379`);
      if (name !== 'canh') expect(new URL(config.elasticsearchUrl as string).host).toBe('elasticsearch:9200');
    }
  });

  it('refuses to start while a secret of .env.example is still empty, naming it', () => {
    const env = { ...exampleEnv(), CANH_PII_SALT: '' };
    expect(() => interpolate(String(services['canh-worker'].environment?.CANH_PII_SALT), env)).toThrow(/CANH_PII_SALT: set CANH_PII_SALT in \.env/);
  });

  it('documents in .env.example every variable it reads', () => {
    const used = new Set([...read('docker-compose.yml').matchAll(/\$\{([A-Z_][A-Z0-9_]*)/g)].map((m) => m[1]));
    const documented = new Set(Object.keys(exampleEnv()));
    expect([...used].filter((v) => !documented.has(v))).toEqual([]);
  });

  it('lets the worker scale: no container_name, no published port', () => {
    expect(services['canh-worker'].container_name).toBeUndefined();
    expect(services['canh-worker'].ports).toBeUndefined();
    expect(services['canh-api'].ports).toEqual(['${CANH_HTTP_PORT:-8080}:8080', '${CANH_SYSLOG_HOST_PORT:-5514}:5514/tcp', '${CANH_SYSLOG_HOST_PORT:-5514}:5514/udp']);
  });

  it('runs every role somewhere, with role names the code knows', () => {
    const apiRoles = roleListsOf(services['canh-api'].command);
    const workerRoles = roleListsOf(services['canh-worker'].command);
    for (const role of [...apiRoles, ...workerRoles]) expect(ROLES).toContain(role);
    expect(new Set([...apiRoles, ...workerRoles])).toEqual(new Set(ROLES));
  });

  it('starts Canh after Elasticsearch and Redis are healthy, each with a healthcheck of its own', () => {
    for (const name of ['canh-api', 'canh-worker']) {
      expect(services[name].depends_on).toMatchObject({ elasticsearch: { condition: 'service_healthy' }, redis: { condition: 'service_healthy' } });
    }
    for (const name of ['elasticsearch', 'redis', 'mailpit', 'canh-api']) expect(services[name].healthcheck?.test?.length).toBeGreaterThan(0);
    // A worker has no HTTP server: the image's /healthz check must not mark it unhealthy.
    expect(services['canh-worker'].healthcheck?.disable).toBe(true);
  });

  it('runs an Elasticsearch whose major version is the one of the client Canh ships', () => {
    const client = (JSON.parse(read('package.json')) as { dependencies: Record<string, string> }).dependencies['@elastic/elasticsearch'];
    const serverMajor = /:\$\{ELASTICSEARCH_VERSION:-(\d+)\./.exec(services.elasticsearch.image as string)?.[1];
    expect(serverMajor).toBe(exampleEnv().ELASTICSEARCH_VERSION.split('.')[0]);
    if (client) expect(serverMajor).toBe(/(\d+)\./.exec(client)?.[1]);
  });
});

describe('Redis settings', () => {
  it('keeps queues through restarts and never evicts them (BullMQ needs noeviction)', () => {
    const conf = read('deploy/redis/redis.conf');
    expect(conf).toMatch(/^appendonly yes$/m);
    expect(conf).toMatch(/^maxmemory-policy noeviction$/m);
    expect(services.redis.volumes).toContain('./deploy/redis/redis.conf:/usr/local/etc/redis/redis.conf:ro');
    expect(services.redis.command?.slice(0, 2)).toEqual(['redis-server', '/usr/local/etc/redis/redis.conf']);
  });
});

describe('deploy/k8s', () => {
  it('gives Canh only variables that Canh reads, and the example Secret is refused as it is', () => {
    const configMap = k8sObject('configmap.yaml', 'ConfigMap').data as Record<string, string>;
    const secret = k8sObject('examples/canh-secrets.yaml', 'Secret').stringData as Record<string, string>;
    const env = [...['api-deployment.yaml', 'worker-deployment.yaml'].flatMap((f) => (container(f).env ?? []).map((e: { name: string }) => e.name))];
    for (const name of [...Object.keys(configMap), ...Object.keys(secret), ...env]) expect(KNOWN_ENV).toContain(name);
    expect(loadConfig({ ...configMap, CANH_ADMIN_TOKEN: 'k8s-admin-token-0123456789', CANH_PII_SALT: 'k8s-pii-salt-0123456789', REDIS_URL: 'rediss://:p@redis:6380', ELASTICSEARCH_URL: 'https://canh:p@es:9200' }).store).toBe('elasticsearch');
    // Applied unchanged, the placeholders stop Canh at start-up, each one named.
    let refusal = '';
    try {
      loadConfig({ ...configMap, ...secret });
    } catch (err) {
      refusal = (err as Error).message;
    }
    for (const key of Object.keys(secret)) expect(refusal).toContain(`${key}: expected`);
  });

  it('runs every role somewhere, two workers at least, as a non-root user', () => {
    const api = k8sObject('api-deployment.yaml', 'Deployment');
    const worker = k8sObject('worker-deployment.yaml', 'Deployment');
    const roles = [...roleListsOf(container('api-deployment.yaml').args), ...roleListsOf(container('worker-deployment.yaml').args)];
    expect(new Set(roles)).toEqual(new Set(ROLES));
    expect(worker.spec.replicas).toBeGreaterThanOrEqual(2);
    for (const d of [api, worker]) {
      expect(d.spec.template.spec.securityContext.runAsNonRoot).toBe(true);
      expect(d.spec.template.spec.containers[0].securityContext.readOnlyRootFilesystem).toBe(true);
      const mounts = d.spec.template.spec.containers[0].volumeMounts.map((m: { mountPath: string }) => m.mountPath);
      expect(mounts).toContain(k8sObject('configmap.yaml', 'ConfigMap').data.CANH_DATA_DIR);
    }
  });

  it('probes paths that Canh answers, on the port it listens on', async () => {
    const api = container('api-deployment.yaml');
    const port = api.ports.find((p: { name: string }) => p.name === api.readinessProbe.httpGet.port).containerPort;
    expect(String(port)).toBe(api.env.find((e: { name: string }) => e.name === 'PORT').value);
    const app = Fastify();
    await app.register(healthRoutes, { readiness: async () => ({ redis: null }), metrics: new Metrics() });
    try {
      const composeProbe = /fetch\('http:\/\/127\.0\.0\.1:8080(\/\w+)'\)/.exec(services['canh-api'].healthcheck?.test?.join(' ') ?? '')?.[1];
      for (const path of [api.readinessProbe.httpGet.path, api.livenessProbe.httpGet.path, composeProbe]) {
        expect((await app.inject({ method: 'GET', url: path })).statusCode).toBe(200);
      }
    } finally {
      await app.close();
    }
  });
});

describe('deploy/Dockerfile', () => {
  const dockerfile = read('deploy/Dockerfile');

  it('runs the compiled CLI that npm start runs, as a non-root user', () => {
    expect(JSON.parse(read('package.json')).scripts.start).toContain('node dist/src/cli/main.js start');
    expect(dockerfile).toMatch(/^ENTRYPOINT \["node", "dist\/src\/cli\/main\.js"\]$/m);
    expect(dockerfile).toMatch(/^CMD \["start"\]$/m);
    const users = [...dockerfile.matchAll(/^USER (\S+)/gm)].map((m) => m[1]);
    expect(users.length).toBeGreaterThan(0);
    expect(['root', '0']).not.toContain(users[users.length - 1].split(':')[0]);
  });

  it('copies files that exist and that .dockerignore lets through', () => {
    const ignored = read('.dockerignore').split('\n').filter((l) => l && !l.startsWith('#') && !l.startsWith('!'));
    const sources = [...dockerfile.matchAll(/^COPY (?!--from)(.+) \S+$/gm)].flatMap((m) => m[1].split(/\s+/));
    expect(sources).toEqual(expect.arrayContaining(['package-lock.json', 'src', 'rules']));
    for (const source of sources) {
      expect(existsSync(join(ROOT, source))).toBe(true);
      expect(ignored).not.toContain(source);
    }
  });
});
