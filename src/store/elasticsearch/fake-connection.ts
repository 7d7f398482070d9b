import {
  BaseConnection, Client, type ConnectionRequestOptions, type ConnectionRequestOptionsAsStream, type ConnectionRequestParams,
  type ConnectionRequestResponse, type ConnectionRequestResponseAsStream,
} from '@elastic/elasticsearch';
import { Readable } from 'node:stream';

/**
 * For unit tests of the Elasticsearch adapters without a server: a real `Client` whose one connection
 * hands every request to a function instead of the network. The client still serializes, checks the
 * product header and turns error statuses into its own errors, so adapters meet what they meet in
 * production. Not used by production code.
 *
 *     const es = fakeElasticsearch((req) => req.path === '/_bulk' ? { status: 200, body: {...} } : undefined);
 *     new ElasticsearchEventStore(es.client, ...); ... expect(es.requests[0].body).toEqual(...)
 */

export interface FakeRequest {
  readonly method: string;
  readonly path: string;
  /** Query string parameters. */
  readonly params: Readonly<Record<string, string>>;
  /** The parsed JSON body; for ndjson bodies (`_bulk`, `_msearch`) the list of parsed lines. */
  readonly body: unknown;
}

export interface FakeAnswer {
  readonly status: number;
  readonly body?: unknown;
}

/** Answers a request; undefined → 404, an Error → thrown by the connection (as a network failure is). */
export type Responder = (request: FakeRequest) => FakeAnswer | Error | undefined;

function parseBody(body: ConnectionRequestParams['body']): unknown {
  if (body === undefined || body === null || body instanceof Readable) return undefined;
  const text = body.toString();
  if (text === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text.split('\n').filter((line) => line !== '').map((line) => JSON.parse(line) as unknown);
  }
}

export function fakeElasticsearch(respond: Responder): { client: Client; requests: FakeRequest[] } {
  const requests: FakeRequest[] = [];
  class FakeConnection extends BaseConnection {
    override request(params: ConnectionRequestParams, options: ConnectionRequestOptions): Promise<ConnectionRequestResponse>;
    override request(params: ConnectionRequestParams, options: ConnectionRequestOptionsAsStream): Promise<ConnectionRequestResponseAsStream>;
    override async request(params: ConnectionRequestParams): Promise<ConnectionRequestResponse | ConnectionRequestResponseAsStream> {
      const request: FakeRequest = {
        method: params.method, path: params.path,
        params: Object.fromEntries(new URLSearchParams(params.querystring ?? '')), body: parseBody(params.body),
      };
      requests.push(request);
      const answer = respond(request) ?? { status: 404, body: { error: { type: 'fake_not_found', reason: `${params.method} ${params.path}` }, status: 404 } };
      if (answer instanceof Error) throw answer;
      return {
        statusCode: answer.status,
        headers: { 'content-type': 'application/json', 'x-elastic-product': 'Elasticsearch' },
        body: answer.body === undefined ? '' : JSON.stringify(answer.body),
      };
    }
  }
  const client = new Client({ node: 'http://fake-elasticsearch:9200', Connection: FakeConnection, maxRetries: 0 });
  return { client, requests };
}
