import type { FastifyPluginAsync, FastifyRequest, preHandlerAsyncHookHandler } from 'fastify';
import { PassThrough } from 'node:stream';
import { coerceError, errors } from '../errors';
import type { RuleRun, RuleStateStore } from '../store/rule-state-store';
import type { Scope } from '../store/scope';
import type { RuleRegistry } from './engine/rule-registry';
import type { DryRunAnswer, PreparedDryRun, RuleDryRunService } from './dry-run-service';
import type { Hit, Rule } from './rule';

export interface RuleRoutesOptions {
  readonly registry: Pick<RuleRegistry, 'all' | 'get' | 'errors'>;
  readonly state: RuleStateStore;
  readonly dryRun: RuleDryRunService;
  /** Localities in a scope (the directory), to count only the hits a caller may see. */
  readonly localities: { listLocalities(scope: Scope): Promise<readonly { readonly code: string }[]> };
  readonly authenticate: preHandlerAsyncHookHandler;
}

const iso = (ms: number) => new Date(ms).toISOString();
/** Which localities' hits a caller sees: all of them, or the codes of their subtree. */
type Visible = 'all' | ReadonlySet<string>;

/**
 * The hits of a run that the caller may see: all of them for the whole-tree scope; otherwise the
 * sum over the localities of their subtree (runs recorded before per-locality counts existed: 0).
 */
function visibleHits(r: RuleRun, visible: Visible): number {
  if (visible === 'all') return r.hits;
  let n = 0;
  for (const [code, count] of Object.entries(r.hitsByLocality ?? {})) if (visible.has(code)) n += count;
  return n;
}

const runJson = (r: RuleRun, visible: Visible) => ({
  started_at: iso(r.startedAt), duration_ms: r.durationMs, window_from: iso(r.from), window_to: iso(r.to), hits: visibleHits(r, visible),
  skipped_windows: r.skipped, error: r.error,
});
const ruleJson = (r: Rule, last: RuleRun | undefined, visible: Visible) => ({
  id: r.id, version: r.version, title: r.title, severity: r.severity, category: r.category, type: r.condition.type, dataset: r.dataset,
  enabled: r.enabled, every_ms: r.everyMs, window_ms: r.windowMs, file: r.origin.file, line: r.origin.line, last_run: last ? runJson(last, visible) : null,
});
const runSchema = {
  type: ['object', 'null'],
  properties: {
    started_at: { type: 'string' }, duration_ms: { type: 'integer' }, window_from: { type: 'string' }, window_to: { type: 'string' },
    hits: { type: 'integer' }, skipped_windows: { type: 'integer' }, error: { type: ['string', 'null'] },
  },
} as const;

/** /api/v1/rules (loaded rules with their last run, and file errors) and /api/v1/rules/{id}/runs. */
export const ruleRoutes: FastifyPluginAsync<RuleRoutesOptions> = async (app, { registry, state, dryRun, localities, authenticate }) => {
  app.addHook('preHandler', authenticate);
  const visibleTo = async (scope: Scope): Promise<Visible> =>
    (scope.kind === 'all' ? 'all' : new Set((await localities.listLocalities(scope)).map((l) => l.code)));

  app.get('/rules', {
    schema: {
      tags: ['rules'], summary: 'Loaded rules with their last run; errors of rule files',
      response: {
        200: {
          type: 'object',
          properties: {
            rules: { type: 'array', items: { type: 'object', additionalProperties: true, properties: { last_run: runSchema } } },
            errors: { type: 'array', items: { type: 'object', properties: { file: { type: 'string' }, line: { type: 'integer' }, field: { type: 'string' }, message: { type: 'string' } } } },
          },
        },
      },
    },
  }, async (req) => {
    const last = new Map((await state.lastRuns()).map((r) => [r.ruleId, r]));
    const visible = await visibleTo(req.scope);
    return { rules: registry.all().map((r) => ruleJson(r, last.get(r.id), visible)), errors: registry.errors() };
  });

  app.get<{ Params: { id: string }; Querystring: { size?: number } }>('/rules/:id/runs', {
    schema: {
      tags: ['rules'], summary: 'Run history of a rule, newest first (hits: those of the localities in your scope)',
      params: { type: 'object', required: ['id'], properties: { id: { type: 'string', maxLength: 64 } } },
      querystring: { type: 'object', additionalProperties: false, properties: { size: { type: 'integer', minimum: 1, maximum: 1000, default: 50 } } },
      response: { 200: { type: 'object', properties: { rule_id: { type: 'string' }, runs: { type: 'array', items: runSchema } } } },
    },
  }, async (req) => {
    if (!registry.get(req.params.id)) throw errors.notFound('Rule', req.params.id);
    const visible = await visibleTo(req.scope);
    return { rule_id: req.params.id, runs: (await state.listRuns(req.params.id, req.query.size ?? 50)).map((r) => runJson(r, visible)) };
  });

  app.post<{ Body: { rule?: string; rule_id?: string; from: string; to?: string; locality?: string } }>('/rules/test', {
    schema: {
      tags: ['rules'], summary: 'Dry run: the hits a rule (YAML text or a loaded id) would have raised over a time range, over the events of your scope; raises nothing',
      body: {
        type: 'object', required: ['from'], additionalProperties: false,
        properties: { rule: { type: 'string', maxLength: 100000 }, rule_id: { type: 'string', maxLength: 64 }, from: { type: 'string' }, to: { type: 'string' }, locality: { type: 'string', maxLength: 32 } },
      },
      response: { 200: { type: 'object', properties: { rule_id: { type: 'string' }, windows: { type: 'integer' }, hits: { type: 'array', items: { type: 'object', additionalProperties: true } } } } },
    },
  }, async (req, reply) => {
    const b = req.body;
    // Bad input answers 400 (as JSON) before anything is streamed.
    const prepared = dryRun.prepare({ from: b.from, ...(b.rule !== undefined ? { rule: b.rule } : {}), ...(b.rule_id ? { ruleId: b.rule_id } : {}), ...(b.to ? { to: b.to } : {}), ...(b.locality ? { locality: b.locality } : {}) });
    if (!req.headers.accept?.includes(NDJSON)) return dryRunJson(await dryRun.run(prepared, undefined, req.scope));
    return reply.type(NDJSON).send(streamDryRun(dryRun, prepared, req));
  });
};

const NDJSON = 'application/x-ndjson';
/** At most one progress line per this many ms (the last one is always sent). */
const PROGRESS_EVERY_MS = 200;

const dryRunJson = (r: DryRunAnswer) => ({ rule_id: r.rule.id, windows: r.windows, hits: r.hits.map(hitJson) });

/**
 * `POST /rules/test` with `Accept: application/x-ndjson`: runs the dry run in the background and
 * returns its lines: `{"progress":{"done","total"}}` (throttled), then `{"result":{...}}` (the
 * JSON answer) or `{"error":{"code","message"}}`. A client that goes away stops the replay.
 */
function streamDryRun(dryRun: RuleDryRunService, prepared: PreparedDryRun, req: FastifyRequest): PassThrough {
  const out = new PassThrough();
  const line = (value: unknown) => {
    if (!out.destroyed) out.write(JSON.stringify(value) + '\n');
  };
  let lastSent = -Infinity;
  const onProgress = (done: number, total: number) => {
    if (out.destroyed) throw new Error('the client went away');
    const now = performance.now();
    if (done < total && now - lastSent < PROGRESS_EVERY_MS) return;
    lastSent = now;
    line({ progress: { done, total } });
  };
  dryRun.run(prepared, onProgress, req.scope).then(
    (r) => line({ result: dryRunJson(r) }),
    (err: unknown) => {
      if (!out.destroyed) line({ error: streamedError(err, req) });
    },
  ).finally(() => {
    if (!out.destroyed) out.end();
  });
  return out;
}

/** The error line of a stream; as with error answers, internal errors are logged and not shown. */
function streamedError(err: unknown, req: FastifyRequest): { code: string; message: string } {
  const e = coerceError(err);
  if (e.kind !== 'internal') return { code: e.code, message: e.message };
  req.log.error({ err, code: e.code }, 'dry run failed');
  return { code: e.code, message: `An internal error occurred; it has been logged with request id ${req.id}` };
}

const hitJson = (h: Hit) => ({
  rule_id: h.ruleId, group: h.group, locality: h.locality, window_from: iso(h.window.from), window_to: iso(h.window.to),
  observed: h.observed, condition: h.condition, sample_event_ids: h.sampleEventIds, evidence_query: h.evidenceQuery,
});
