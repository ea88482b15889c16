import { z } from 'zod';

/** Google's error object, passed through by useapi for content policy, 429s and failed jobs. */
export const googleErrorSchema = z.looseObject({
  code: z.number().optional(),
  message: z.string().optional(),
  status: z.string().optional(),
  details: z.array(z.looseObject({ '@type': z.string().optional(), reason: z.string().optional() })).optional(),
});
export type GoogleError = z.output<typeof googleErrorSchema>;

/**
 * Every error body useapi sends: `error` is a string (useapi's own) or Google's object.
 * `no_eligible_account` 429s add `message`, `retryAfter` and `skipReasons`; captcha 503s add `code`.
 */
export const errorBodySchema = z.looseObject({
  error: z.union([z.string(), googleErrorSchema]),
  message: z.string().optional(),
  retryAfter: z.string().optional(),
  code: z.number().optional(),
  skipReasons: z.array(z.looseObject({ email: z.string().optional(), reason: z.string().optional(), model: z.string().optional() })).optional(),
});
export type ErrorBody = z.output<typeof errorBodySchema>;
