import type { Source } from './types';

/**
 * Ready-to-paste shipper configurations for one source, filled in with Canh's public URL and the
 * source's key. They follow the tested fixtures of test/fixtures/shippers/ (docs/shippers.md):
 * Vector, Fluent Bit and Filebeat write to the Elasticsearch-compatible `_bulk`, rsyslog with
 * omelasticsearch, curl to `POST /api/v1/ingest`.
 */
export interface ShipperConfigs {
  readonly vector: string;
  readonly fluent_bit: string;
  readonly filebeat: string;
  readonly rsyslog: string;
  readonly curl: string;
}

/** Put where the key goes when the answer does not hold it (the key is shown once, at creation or rotation). */
export const KEY_PLACEHOLDER = '<YOUR_KEY>';

/**
 * Canh's base URL as the client reached it: `<protocol>://<host>` from the request (no path, no
 * trailing slash). Throws on a host that is not a plain host[:port] (it ends up inside configs).
 */
export function publicBaseUrl(protocol: string, host: string): string {
  const scheme = protocol === 'https' ? 'https' : 'http';
  if (!/^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+)(:[0-9]{1,5})?$/.test(host)) throw new Error(`Not a plain host[:port]: ${JSON.stringify(host)}`);
  const u = new URL(`${scheme}://${host}`);
  return `${u.protocol}//${u.host}`;
}

/** The log file a shipper reads, a sensible default per format (to adjust on the server). */
function logPath(source: Pick<Source, 'kind' | 'format'>): string {
  if (source.format === 'nginx_combined') return '/var/log/nginx/access.log';
  if (source.format === 'apache_common' || source.format === 'apache_combined') return '/var/log/apache2/access.log';
  return `/var/log/canh/${source.kind}.ndjson`;
}

/** The configurations for `source`, with `baseUrl` (publicBaseUrl) and `key` (or KEY_PLACEHOLDER). */
export function shipperConfigs(source: Pick<Source, 'id' | 'name' | 'kind' | 'format'>, baseUrl: string, key: string = KEY_PLACEHOLDER): ShipperConfigs {
  const url = new URL(baseUrl);
  const https = url.protocol === 'https:';
  const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
  const port = url.port || (https ? '443' : '80');
  const base = `${url.protocol}//${url.host}`;
  const path = logPath(source);
  const json = source.format === 'json';
  // One comment line naming the source; the name is the user's text: keep it to one line.
  const title = `${source.name.replace(/[\r\n]+/g, ' ')} (${source.id})`;

  const vector = `# Vector → Canh, source ${title}. Run: vector --config canh.yaml
# Canh answers as Elasticsearch 8; the key decides the source and its locality.
sources:
  canh_input:
    type: file
    include:
      - ${path}

${json ? `
transforms:
  canh_json:
    type: remap
    inputs: [canh_input]
    # Each line is a JSON document: send the document, not the line wrapped in "message".
    source: '. = parse_json!(string!(.message))'
` : ''}
sinks:
  canh:
    type: elasticsearch
    inputs: [${json ? 'canh_json' : 'canh_input'}]
    endpoints: ["${base}"]
    api_version: v8
    mode: bulk
    bulk:
      index: canh
      action: create
    auth:
      strategy: basic
      user: canh
      password: "${key}"
    compression: gzip
    healthcheck:
      enabled: true
`;

  const fluentBit = `# Fluent Bit → Canh, source ${title}. Run: fluent-bit -c canh.conf
[SERVICE]
    Flush        5
    Log_Level    info
${json ? '    # The stock parsers.conf (next to fluent-bit.conf) defines the "json" parser.\n    Parsers_File parsers.conf\n' : ''}
[INPUT]
    Name         tail
    Path         ${path}
    Tag          canh.${source.kind}
    DB           /var/lib/fluent-bit/canh-${source.id}.db
${json ? '    Parser       json\n' : ''}
[OUTPUT]
    Name               es
    Match              canh.*
    Host               ${host}
    Port               ${port}
${https ? '    tls                On\n    tls.verify         On\n' : ''}    HTTP_User          canh
    HTTP_Passwd        ${key}
    Index              canh
    Suppress_Type_Name On
    Compress           gzip
    Retry_Limit        False
`;

  const filebeat = `# Filebeat 8 → Canh, source ${title}. Run: filebeat -e -c filebeat.yml
filebeat.inputs:
  - type: filestream
    id: canh-${source.id}
    paths:
      - ${path}
${json ? '    parsers:\n      - ndjson:\n          target: ""\n          overwrite_keys: true\n' : ''}
output.elasticsearch:
  hosts: ["${base}"]
  username: "canh"
  password: "${key}"
  allow_older_versions: true

setup.template.enabled: false
setup.ilm.enabled: false
`;

  const rsyslog = `# rsyslog → Canh, source ${title}. /etc/rsyslog.d/canh.conf
# Needs omelasticsearch (Debian/Ubuntu: apt-get install rsyslog rsyslog-elasticsearch).
global(workDirectory="/var/spool/rsyslog")
module(load="imfile")
module(load="omelasticsearch")

${json ? `# Each line is a JSON document: send it as it is.
template(name="canh-json" type="list") {
  property(name="msg")
}` : `template(name="canh-json" type="list" option.jsonf="on") {
  property(outname="@timestamp" name="timereported" dateFormat="rfc3339" format="jsonf")
  property(outname="host.name" name="hostname" format="jsonf")
  property(outname="log.file.path" name="$!metadata!filename" format="jsonf")
  property(outname="message" name="msg" format="jsonf")
}`}

input(type="imfile" File="${path}" Tag="canh" Ruleset="canh"
      addMetadata="on" freshStartTail="off")

ruleset(name="canh") {
  action(type="omelasticsearch" name="canh"
         server="${host}" serverport="${port}" usehttps="${https ? 'on' : 'off'}"
         uid="canh" pwd="${key}"
         searchIndex="canh" esVersion.major="8"
         template="canh-json" bulkmode="on" maxbytes="4m"
         errorFile="/var/log/rsyslog-canh-errors.json"
         action.resumeRetryCount="-1"
         queue.type="LinkedList" queue.filename="canh" queue.saveOnShutdown="on"
         queue.size="100000" queue.dequeueBatchSize="500")
}
`;

  const curl = `# curl → Canh, source ${title}: sends ${json ? 'one JSON document per line (NDJSON)' : 'one raw log line per line'}.
# --data-binary keeps the newlines (-d would strip them).
curl -sS --fail-with-body \\
  -H 'Authorization: ApiKey ${key}' \\
  -H 'Content-Type: ${json ? 'application/x-ndjson' : 'text/plain'}' \\
  --data-binary @${path} \\
  '${base}/api/v1/ingest'
`;

  return { vector, fluent_bit: fluentBit, filebeat, rsyslog, curl };
}
