import { createGunzip, createInflate } from 'node:zlib';
import type { FastifyInstance } from 'fastify';
import { errors } from '../errors';

/**
 * Accepts `Content-Encoding: gzip` (and deflate) request bodies. The route's bodyLimit then applies
 * to the decompressed bytes, so a small bomb cannot expand past the limit.
 */
export function registerDecompression(app: FastifyInstance): void {
  app.addHook('preParsing', async (request, _reply, payload) => {
    const encoding = String(request.headers['content-encoding'] ?? 'identity').trim().toLowerCase();
    if (encoding === 'identity' || encoding === '') return payload;
    if (encoding !== 'gzip' && encoding !== 'x-gzip' && encoding !== 'deflate') throw errors.unsupportedEncoding(encoding);
    delete request.headers['content-length'];
    const stream = encoding === 'deflate' ? createInflate() : createGunzip();
    stream.on('error', () => undefined);
    payload.on('error', (err) => stream.destroy(err));
    return payload.pipe(stream);
  });
}
