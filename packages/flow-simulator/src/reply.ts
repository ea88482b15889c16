import type { FastifyReply, FastifyRequest } from 'fastify';
import type { RequestLog } from './request-log';
import type { LogNote, Outcome } from './simulator';

declare module 'fastify' {
  interface FastifyRequest {
    /** What the request log records about this request besides method, path and status. */
    simNote: LogNote | null;
  }
}

/**
 * Writes a simulator outcome as the HTTP answer and keeps its note for the request log. A reset
 * outcome closes the connection instead; `log` records it with status 0 (no response hook runs then).
 */
export function sendOutcome(request: FastifyRequest, reply: FastifyReply, outcome: Outcome, log?: RequestLog): FastifyReply {
  request.simNote = outcome.note;
  if (outcome.reset) {
    log?.add({ at: Date.now(), method: request.method, path: request.url.split('?')[0]!, status: 0, ...outcome.note, cause: 'connection-reset' });
    reply.hijack();
    request.raw.socket.destroy();
    return reply;
  }
  const { status, body, headers } = outcome.answer;
  reply.code(status);
  if (headers) reply.headers(headers);
  return reply.send(body);
}
