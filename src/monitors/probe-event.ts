import type { Monitor } from './monitor';
import type { ProbeResult } from './probe-result';

/**
 * The JSON document a Heartbeat would send for one check (ECS dotted keys), as a `probe` source's
 * line: the ingest pipeline (parsers/probe-json.ts) turns it into an `uptime.probe` event like any
 * shipper's. Pure.
 */
export function probeDocument(monitor: Monitor, location: string, r: ProbeResult): Record<string, unknown> {
  const doc: Record<string, unknown> = {
    '@timestamp': new Date(r.startedAt).toISOString(),
    'monitor.id': monitor.id,
    'monitor.name': monitor.name,
    'monitor.type': monitor.check.type,
    'monitor.status': r.status,
    'monitor.duration.us': r.durationUs,
    'service.name': monitor.service,
    'observer.name': location,
  };
  if (monitor.check.type === 'http') doc['url.full'] = monitor.check.url;
  else {
    doc['url.full'] = `tcp://${monitor.check.host}:${monitor.check.port}`;
    doc['destination.address'] = monitor.check.host;
    doc['destination.port'] = monitor.check.port;
  }
  if (r.statusCode !== undefined) doc['http.response.status_code'] = r.statusCode;
  if (r.error !== undefined) doc['error.message'] = r.error;
  if (r.tls) {
    doc['tls.server.x509.not_after'] = r.tls.notAfter;
    doc['tls.server.x509.not_before'] = r.tls.notBefore;
    if (r.tls.subject !== null) doc['tls.server.x509.subject.common_name'] = r.tls.subject;
    if (r.tls.verificationError !== null) doc['tls.server.verification_error'] = r.tls.verificationError;
  }
  if (r.warnings.length > 0) doc['monitor.warning'] = r.warnings.join('; ');
  return doc;
}
