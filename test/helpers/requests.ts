import type { FastifyInstance } from 'fastify';

/** PATCH a task with If-Match; returns status, body and headers. */
export async function patchTask(app: FastifyInstance, authorization: string, id: string, ifMatch: string | null, payload: unknown) {
  const headers: Record<string, string> = { authorization };
  if (ifMatch !== null) headers['if-match'] = ifMatch;
  const response = await app.inject({ method: 'PATCH', url: `/v1/tasks/${id}`, headers, payload: payload as object });
  return { status: response.statusCode, body: response.json(), headers: response.headers };
}

/** POST a progress report, optionally with an Idempotency-Key. */
export async function postReport(app: FastifyInstance, authorization: string, id: string, payload: unknown, idempotencyKey?: string) {
  const headers: Record<string, string> = { authorization };
  if (idempotencyKey) headers['idempotency-key'] = idempotencyKey;
  const response = await app.inject({ method: 'POST', url: `/v1/tasks/${id}/reports`, headers, payload: payload as object });
  return { status: response.statusCode, body: response.json(), headers: response.headers };
}
