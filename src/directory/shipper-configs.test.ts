import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { KEY_PLACEHOLDER, publicBaseUrl, shipperConfigs } from './shipper-configs';
import type { Source } from './types';

const KEY = 'canh_AbC-dEf_0123456789abcdefghijklmnopqrstuvwxyz';
const access: Pick<Source, 'id' | 'name' | 'kind' | 'format'> = { id: 'src_123', name: 'Cổng DVC\nHà Nội', kind: 'access', format: 'nginx_combined' };
const otp: Pick<Source, 'id' | 'name' | 'kind' | 'format'> = { id: 'src_456', name: 'OTP', kind: 'otp', format: 'json' };

/** The `key: value` settings of an INI-like file (Fluent Bit), section by section. */
function iniSections(text: string): Array<{ name: string; values: Record<string, string> }> {
  const sections: Array<{ name: string; values: Record<string, string> }> = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const header = /^\[(\w+)\]$/.exec(line);
    if (header) sections.push({ name: header[1], values: {} });
    else {
      const [k, ...v] = line.split(/\s+/);
      sections[sections.length - 1].values[k] = v.join(' ');
    }
  }
  return sections;
}

describe('publicBaseUrl', () => {
  it('builds <protocol>://<host> and drops a default port', () => {
    expect(publicBaseUrl('http', 'canh.example.gov.vn:8080')).toBe('http://canh.example.gov.vn:8080');
    expect(publicBaseUrl('https', 'canh.example.gov.vn')).toBe('https://canh.example.gov.vn');
    expect(publicBaseUrl('https', 'canh.example.gov.vn:443')).toBe('https://canh.example.gov.vn');
    expect(publicBaseUrl('http', '[::1]:8080')).toBe('http://[::1]:8080');
  });

  it('refuses a Host that is not a plain host[:port] (it would end up inside the configurations)', () => {
    for (const bad of ['', 'a b', 'x/y', 'user@host', 'host:80/evil', 'h"; rm -rf /', "h'x", 'host\nX: y']) expect(() => publicBaseUrl('http', bad)).toThrow();
  });
});

describe('shipperConfigs', () => {
  const http = shipperConfigs(access, 'http://canh.example.gov.vn:8080', KEY);

  it('fills every configuration with the URL (or its host and port) and the key', () => {
    for (const [name, text] of Object.entries(http)) {
      expect({ name, hasKey: text.includes(KEY) }).toEqual({ name, hasKey: true });
      expect({ name, hasHost: text.includes('canh.example.gov.vn') }).toEqual({ name, hasHost: true });
      expect({ name, hasPort: text.includes('8080') }).toEqual({ name, hasPort: true });
      expect(text).not.toContain(KEY_PLACEHOLDER);
      expect(text).not.toContain('Hà Nội\n'); // the name stays on its comment line
    }
    expect(http.curl).toContain("'http://canh.example.gov.vn:8080/api/v1/ingest'");
    expect(http.curl).toContain(`-H 'Authorization: ApiKey ${KEY}'`);
    expect(http.curl).toContain("-H 'Content-Type: text/plain'");
    expect(http.curl).toContain('--data-binary @/var/log/nginx/access.log');
  });

  it('gives a Vector configuration that parses as YAML, with an elasticsearch sink on the URL and the key', () => {
    const doc = parseYaml(http.vector);
    expect(doc.sinks.canh).toMatchObject({
      type: 'elasticsearch', inputs: ['canh_input'], endpoints: ['http://canh.example.gov.vn:8080'], api_version: 'v8', mode: 'bulk',
      auth: { strategy: 'basic', user: 'canh', password: KEY },
    });
    expect(doc.sources.canh_input).toEqual({ type: 'file', include: ['/var/log/nginx/access.log'] });
    expect(doc.transforms).toBeUndefined();
  });

  it('gives a Filebeat configuration that parses as YAML, with templates and ILM off', () => {
    const doc = parseYaml(http.filebeat);
    expect(doc['output.elasticsearch']).toEqual({ hosts: ['http://canh.example.gov.vn:8080'], username: 'canh', password: KEY, allow_older_versions: true });
    expect(doc['setup.template.enabled']).toBe(false);
    expect(doc['setup.ilm.enabled']).toBe(false);
    expect(doc['filebeat.inputs'][0]).toMatchObject({ type: 'filestream', paths: ['/var/log/nginx/access.log'] });
  });

  it('gives a Fluent Bit es output with host, port and the key as password', () => {
    const out = iniSections(http.fluent_bit).find((s) => s.name === 'OUTPUT');
    expect(out?.values).toMatchObject({ Name: 'es', Host: 'canh.example.gov.vn', Port: '8080', HTTP_User: 'canh', HTTP_Passwd: KEY, Suppress_Type_Name: 'On' });
    expect(out?.values).not.toHaveProperty('tls');
  });

  it('gives an rsyslog omelasticsearch action with server, port, https off and the key', () => {
    expect(http.rsyslog).toContain('server="canh.example.gov.vn" serverport="8080" usehttps="off"');
    expect(http.rsyslog).toContain(`uid="canh" pwd="${KEY}"`);
    expect(http.rsyslog).toContain('module(load="omelasticsearch")');
    expect(http.rsyslog).toContain('property(outname="message" name="msg" format="jsonf")');
  });

  it('uses https settings and the default port 443 for an https URL', () => {
    const c = shipperConfigs(access, 'https://canh.example.gov.vn', KEY);
    expect(iniSections(c.fluent_bit).find((s) => s.name === 'OUTPUT')?.values).toMatchObject({ Port: '443', tls: 'On', 'tls.verify': 'On' });
    expect(c.rsyslog).toContain('serverport="443" usehttps="on"');
    expect(parseYaml(c.vector).sinks.canh.endpoints).toEqual(['https://canh.example.gov.vn']);
    expect(c.curl).toContain("'https://canh.example.gov.vn/api/v1/ingest'");
  });

  it('sends JSON lines as documents for a json source', () => {
    const c = shipperConfigs(otp, 'http://10.0.0.5:8080', KEY);
    const vector = parseYaml(c.vector);
    expect(vector.transforms.canh_json).toMatchObject({ type: 'remap', inputs: ['canh_input'] });
    expect(vector.sinks.canh.inputs).toEqual(['canh_json']);
    expect(parseYaml(c.filebeat)['filebeat.inputs'][0].parsers).toEqual([{ ndjson: { target: '', overwrite_keys: true } }]);
    expect(iniSections(c.fluent_bit).find((s) => s.name === 'INPUT')?.values).toMatchObject({ Parser: 'json', Path: '/var/log/canh/otp.ndjson' });
    expect(c.rsyslog).toContain('property(name="msg")');
    expect(c.curl).toContain("-H 'Content-Type: application/x-ndjson'");
  });

  it('puts <YOUR_KEY> where the key goes when none is given', () => {
    const c = shipperConfigs(access, 'http://canh.example.gov.vn:8080');
    for (const text of Object.values(c)) expect(text).toContain(KEY_PLACEHOLDER);
    expect(parseYaml(c.vector).sinks.canh.auth.password).toBe(KEY_PLACEHOLDER);
    expect(parseYaml(c.filebeat)['output.elasticsearch'].password).toBe(KEY_PLACEHOLDER);
  });

  const rsyslogd = ['/usr/sbin/rsyslogd', '/sbin/rsyslogd'].find((p) => existsSync(p));
  (rsyslogd ? it : it.skip)('gives rsyslog configurations that rsyslogd -N1 validates (skipped without rsyslogd)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'canh-rsyslog-'));
    for (const [name, source, url] of [['text', access, 'https://canh.example.gov.vn'], ['json', otp, 'http://127.0.0.1:8080']] as const) {
      const file = join(dir, `${name}.conf`);
      writeFileSync(file, shipperConfigs(source, url, KEY).rsyslog.replace('/var/spool/rsyslog', dir));
      const out = execFileSync(rsyslogd as string, ['-N1', '-f', file], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
      expect(out + '').not.toMatch(/error/i);
    }
  });
});
