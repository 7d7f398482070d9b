import { createHash } from 'node:crypto';

/**
 * The fixed answers Canh gives to what shippers ask an Elasticsearch cluster before they send data
 * (see docs/shippers.md for who asks what). They describe one healthy single-node Elasticsearch 8
 * with a basic license, which is what every shipper's start-up check wants to see. Key order follows
 * Elasticsearch 8. Pure: the caller passes the time where one is needed.
 */

/** The Elasticsearch version Canh presents by default. */
export const DEFAULT_ES_VERSION = '8.17.0';

const NAME = 'canh';
/** Stable across restarts and installs, 22 characters like Elasticsearch's. */
export const CLUSTER_UUID = createHash('sha256').update('canh-es-compat').digest('base64url').slice(0, 22);
const LICENSE_UID = '6c616e68-0000-4000-8000-63616e680000';

export interface MainInfoOptions {
  /** Canh's own version, shown in the build fields. */
  readonly canhVersion: string;
  /** Elasticsearch version to present. @defaultValue {@link DEFAULT_ES_VERSION} */
  readonly esVersion: string;
}

/** `GET /`: the root document clients read `version.number`, `build_flavor` and `tagline` from. */
export function mainInfo(options: MainInfoOptions) {
  return {
    name: NAME,
    cluster_name: NAME,
    cluster_uuid: CLUSTER_UUID,
    version: {
      number: options.esVersion,
      build_flavor: 'default',
      build_type: 'canh',
      build_hash: `canh-${options.canhVersion}`,
      build_date: '2024-12-11T00:00:00.000Z',
      build_snapshot: false,
      lucene_version: '9.12.0',
      minimum_wire_compatibility_version: '7.17.0',
      minimum_index_compatibility_version: '7.0.0',
    },
    tagline: 'You Know, for Search',
  };
}

/** `GET /_license`: an active basic license (Logstash refuses a cluster without an active one). */
export function licenseInfo() {
  return {
    license: {
      status: 'active',
      uid: LICENSE_UID,
      type: 'basic',
      issue_date: '2024-12-11T00:00:00.000Z',
      issue_date_in_millis: 1733875200000,
      max_nodes: 1000,
      max_resource_units: null,
      issued_to: NAME,
      issuer: 'elasticsearch',
      start_date_in_millis: -1,
    },
  };
}

/** `GET /_xpack`: the features a client may check before managing templates or ILM. */
export function xpackInfo(canhVersion: string) {
  const on = { available: true, enabled: true };
  return {
    build: { hash: `canh-${canhVersion}`, date: '2024-12-11T00:00:00.000Z' },
    license: { uid: LICENSE_UID, type: 'basic', mode: 'basic', status: 'active' },
    features: { data_streams: on, ilm: on, security: on },
    tagline: 'You know, for X',
  };
}

/** `GET /_cluster/health`: green (Vector's healthcheck only wants a 200). */
export function clusterHealth() {
  return {
    cluster_name: NAME,
    status: 'green',
    timed_out: false,
    number_of_nodes: 1,
    number_of_data_nodes: 1,
    active_primary_shards: 0,
    active_shards: 0,
    relocating_shards: 0,
    initializing_shards: 0,
    unassigned_shards: 0,
    unassigned_primary_shards: 0,
    delayed_unassigned_shards: 0,
    number_of_pending_tasks: 0,
    number_of_in_flight_fetch: 0,
    task_max_waiting_in_queue_millis: 0,
    active_shards_percent_as_number: 100.0,
  };
}

/** `GET /_cat/health` (rsyslog's connection check): the one text line Elasticsearch prints. */
export function catHealth(nowMs: number): string {
  const epoch = Math.floor(nowMs / 1000);
  const time = new Date(nowMs).toISOString().slice(11, 19);
  return `${epoch} ${time} ${NAME} green 1 1 0 0 0 0 0 0 0 - 100.0%\n`;
}

/** `GET /_nodes/...`: no nodes to sniff, so a sniffing client keeps the URL it was given. */
export function nodesInfo() {
  return { _nodes: { total: 0, successful: 0, failed: 0 }, cluster_name: NAME, nodes: {} };
}

/** `GET /_index_template/{name}`: the template "exists", so shippers do not try to install theirs. */
export function indexTemplate(name: string) {
  return { index_templates: [{ name, index_template: { index_patterns: [`${name}*`], composed_of: [] } }] };
}

/** `GET /_template/{name}` (legacy templates). */
export function legacyTemplate(name: string) {
  return { [name]: { order: 0, index_patterns: [`${name}*`], settings: {}, mappings: {}, aliases: {} } };
}

/** `GET /_ilm/policy/{name}`: the policy "exists". */
export function ilmPolicy(name: string) {
  return {
    [name]: {
      version: 1,
      modified_date: '2024-12-11T00:00:00.000Z',
      policy: { phases: {} },
      in_use_by: { indices: [], data_streams: [], composable_templates: [] },
    },
  };
}

/** `GET /_data_stream/{name}`: the data stream "exists". */
export function dataStream(name: string) {
  return {
    data_streams: [{
      name,
      timestamp_field: { name: '@timestamp' },
      indices: [],
      generation: 1,
      status: 'GREEN',
      template: name,
      hidden: false,
      system: false,
    }],
  };
}

/** `GET /_ingest/pipeline/{id}`: the pipeline "exists" (Canh's own parsers do the parsing). */
export function ingestPipeline(id: string) {
  return { [id]: { description: 'Accepted by Canh and not run: Canh parses events itself', processors: [] } };
}

/** What Elasticsearch answers to a successful PUT of a template, policy, pipeline or data stream. */
export function acknowledged() {
  return { acknowledged: true };
}
