import { hexOfEmail } from '@flowq/core';

/**
 * A stable, made-up Google user id per account: the same email gets the same id in every run,
 * so ids written into fixtures stay valid.
 */
export function userIdOf(email: string): number {
  let h = 0;
  for (const ch of email) h = (Math.imul(h, 31) + ch.charCodeAt(0)) >>> 0;
  return 10_000 + (h % 90_000);
}

/** `j<epoch ms>v-u<userId>-email:<email>-bot:google-flow`. The sim keeps the full email so the id is unique and routable. */
export function videoJobId(createdMs: number, email: string): string {
  return `j${createdMs}v-u${userIdOf(email)}-email:${email}-bot:google-flow`;
}

const JOB_ID_PATTERN = /^j(\d+)([vi])-u(\d+)-email:([^\s/]+)-bot:google-flow$/;

export function parseJobId(jobid: string): { createdMs: number; email: string } | null {
  const m = JOB_ID_PATTERN.exec(jobid);
  return m ? { createdMs: Number(m[1]), email: m[4]! } : null;
}

export function mediaGenerationId(email: string, kind: 'image' | 'video', uuid: string): string {
  return `user:${userIdOf(email)}-email:${hexOfEmail(email)}-${kind}:${uuid}`;
}

/** The `user:<id>` part of a mediaGenerationId, as named in useapi's 403 message. */
export function userPartOf(mediaId: string): string {
  return /^user:\d+/.exec(mediaId)?.[0] ?? mediaId;
}

/** `john@gmail.com` -> `jo***@gmail.com`, as useapi echoes emails in job records. */
export function maskEmail(email: string): string {
  const at = email.lastIndexOf('@');
  if (at < 0) return `${email.slice(0, 2)}***`;
  return `${email.slice(0, Math.min(2, at))}***${email.slice(at)}`;
}
