import type { FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';

class BodyRefusedError extends Error {
  constructor(
    readonly statusCode: 400 | 415,
    readonly code: 'FST_ERR_CTP_INVALID_JSON_BODY' | 'FST_ERR_CTP_INVALID_MEDIA_TYPE',
    message: string,
  ) {
    super(message);
  }
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

function charsetOf(request: FastifyRequest): string | null {
  const match = /;\s*charset\s*=\s*"?([^";\s]+)"?/i.exec(request.headers['content-type'] ?? '');
  return match ? match[1]!.toLowerCase() : null;
}

/** A JSON body's text: UTF-8 and no other charset, or the error that refuses it. */
export function jsonBodyText(request: FastifyRequest, body: Buffer): { text: string } | { error: BodyRefusedError } {
  const charset = charsetOf(request);
  if (charset !== null && charset !== 'utf-8' && charset !== 'utf8') {
    return { error: new BodyRefusedError(415, 'FST_ERR_CTP_INVALID_MEDIA_TYPE', `Bodies are JSON in UTF-8; charset=${charset} is not taken.`) };
  }
  try {
    return { text: strictUtf8.decode(body) };
  } catch {
    return { error: new BodyRefusedError(400, 'FST_ERR_CTP_INVALID_JSON_BODY', 'The body is not valid UTF-8.') };
  }
}

/**
 * Bodies are JSON in UTF-8 and nothing else. Fastify would read any charset as UTF-8, put U+FFFD
 * where the bytes are not UTF-8 (and so store text the client never sent), take text/plain, and
 * ignore a Content-Encoding it cannot undo; each of those is refused instead.
 */
export default fp(
  async (app) => {
    const parseJson = app.getDefaultJsonParser('error', 'ignore');
    app.removeAllContentTypeParsers();
    app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, body, done) => {
      const decoded = jsonBodyText(request, body as Buffer);
      if ('error' in decoded) done(decoded.error, undefined);
      else parseJson(request, decoded.text, done);
    });

    app.addHook('onRequest', async (request) => {
      const encoding = request.headers['content-encoding']?.trim().toLowerCase();
      if (encoding !== undefined && encoding !== '' && encoding !== 'identity') {
        throw new BodyRefusedError(415, 'FST_ERR_CTP_INVALID_MEDIA_TYPE', `Content-Encoding ${encoding} is not taken; send the body uncompressed.`);
      }
    });
  },
  { name: 'body' },
);
