import type { FastifyReply, FastifyRequest } from 'fastify';
import type { LogNote, Outcome } from './simulator';

declare module 'fastify' {
  interface FastifyRequest {
    /** What the request log records about this request besides method, path and status. */
    simNote: LogNote | null;
  }
}

/** Writes a simulator outcome as the HTTP answer and keeps its note for the request log. */
export function sendOutcome(request: FastifyRequest, reply: FastifyReply, outcome: Outcome): FastifyReply {
  request.simNote = outcome.note;
  const { status, body, headers } = outcome.answer;
  reply.code(status);
  if (headers) reply.headers(headers);
  return reply.send(body);
}
