import accepts from '@fastify/accepts';
import type { FastifyReply } from 'fastify';
import { type FastifyPluginAsyncZod, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import { stringify } from 'yaml';
import { DomainError, ForbiddenError, InvalidInputError } from '../../domain/errors.js';
import { jsonBodyText } from '../../plugins/body.js';
import { authProblems, IdParams, problemResponse, problemResponses, problemResponsesWithout404 } from '../common/schemas.js';
import { exportDocument } from './export.js';
import { ImportFile } from './format.js';
import { importText } from './importing.js';
import { Document, DocumentListQuery, DocumentPage, ImportQuery, ImportSummary } from './schemas.js';
import { getDocument, listDocuments } from './service.js';

const tags = ['documents'];

/** A whole document with its lists is larger than any other request. */
export const IMPORT_BODY_LIMIT = 8 * 1024 * 1024;

const routes: FastifyPluginAsyncZod = async (app) => {
  await app.register(accepts);

  app.get(
    '/v1/documents',
    {
      config: { access: 'public-read' },
      schema: {
        operationId: 'listDocuments',
        tags,
        summary: 'List policy documents',
        querystring: DocumentListQuery,
        response: { 200: DocumentPage, ...problemResponsesWithout404, ...authProblems },
      },
    },
    (request) => listDocuments(app.deps.db, request.query),
  );

  app.get(
    '/v1/documents/:id',
    {
      config: { access: 'public-read' },
      schema: {
        operationId: 'getDocument',
        tags,
        summary: 'Get a document with its parts and articles',
        params: IdParams,
        response: { 200: Document, ...problemResponses, ...authProblems },
      },
    },
    (request) => getDocument(app.deps.db, request.params.id),
  );

  app.get(
    '/v1/documents/:id/export',
    {
      config: { access: 'public-read' },
      schema: {
        operationId: 'exportDocument',
        tags,
        summary: 'The document, its units and lists in the import format',
        description: 'JSON by default, YAML for Accept: application/yaml. Importing the answer, here or into another Duban, changes nothing: import(export(x)) is x.',
        params: IdParams,
        response: {
          200: { description: 'The document in the import format.', content: { 'application/json': { schema: ImportFile }, 'application/yaml': { schema: ImportFile } } },
          ...problemResponses,
          ...authProblems,
          406: problemResponse('Accept allows neither application/json nor application/yaml.'),
        },
      },
    },
    async (request, reply) => {
      void reply.header('vary', 'Accept');
      const type = request.accepts().type(['application/json', 'application/yaml']);
      if (type === false) throw new DomainError('not_acceptable', 'An export is available as application/json and application/yaml.');
      const file = await exportDocument(app.deps.db, request.params.id);
      if (type === 'application/json') return file;
      // Text of its own: the route's JSON serializer does not apply to it.
      return (reply as FastifyReply).type('application/yaml; charset=utf-8').send(stringify(file, { lineWidth: 0 }));
    },
  );

  // Its own scope, so the import route reads the body as text: the issues it reports carry lines.
  await app.register(async (parent) => {
    const scope = parent.withTypeProvider<ZodTypeProvider>();
    scope.removeAllContentTypeParsers();
    for (const type of ['application/json', 'application/yaml']) {
      scope.addContentTypeParser(type, { parseAs: 'buffer', bodyLimit: IMPORT_BODY_LIMIT }, (request, body, done) => {
        const decoded = jsonBodyText(request, body as Buffer);
        if ('error' in decoded) done(decoded.error, undefined);
        else done(null, decoded.text);
      });
    }

    scope.post(
      '/v1/documents::import',
      {
        config: { access: ['admin'] },
        bodyLimit: IMPORT_BODY_LIMIT,
        // The body is checked whole by importText, which reports every issue with its line.
        validatorCompiler: (definition) =>
          definition.httpPart === 'body' ? (value: unknown) => ({ value }) : validatorCompiler(definition as unknown as Parameters<typeof validatorCompiler>[0]),
        schema: {
          operationId: 'importDocument',
          tags,
          summary: 'Import a document with its units and task lists, or a revision of one (admin)',
          consumes: ['application/json', 'application/yaml'],
          description:
            'JSON, or the same in YAML (Content-Type: application/yaml). The whole file is checked first; a file with any problem is refused whole (422 import_rejected, every problem in errors with its path and line) and nothing is written. Re-importing a file changes nothing; a revised file updates texts and structure, recording each task’s changes as ledger events (README: "Bringing a list").',
          querystring: ImportQuery,
          body: ImportFile,
          response: {
            200: ImportSummary,
            400: problemResponses[400],
            413: problemResponse('The file is larger than 8 MiB.'),
            415: problemResponse('The body is neither JSON nor YAML (application/yaml) in UTF-8.'),
            422: problemResponse('The file cannot be imported; errors lists every problem, with its path and line.'),
            ...authProblems,
          },
        },
      },
      async (request) => {
        const { principal } = request;
        if (principal.role === 'public') throw new ForbiddenError('Importing needs an admin key.');
        if (typeof request.body !== 'string') {
          throw new InvalidInputError('Send the file as the body, with Content-Type application/json or application/yaml.', [{ location: 'body', path: '', message: 'no file' }]);
        }
        const syntax = request.headers['content-type']?.startsWith('application/yaml') ? 'yaml' : 'json';
        return importText(app.deps.db, request.body, syntax, {
          now: app.deps.clock(),
          actor: { keyId: principal.keyId, agencyId: principal.agencyId, role: principal.role },
          source: 'api',
          dryRun: request.query.dryRun,
        });
      },
    );
  });
};

export default routes;
