import { z } from 'zod';

export const createKeyBody = z
  .object({
    name: z.string({ error: 'must be text' }).trim().min(1, 'must not be empty').max(100, 'must be at most 100 characters'),
    admin: z.boolean({ error: 'must be true or false' }).default(false),
  })
  .strict()
  .meta({ id: 'CreateApiKeyRequest' });

export const keySchema = z
  .object({
    id: z.string(),
    name: z.string(),
    admin: z.boolean(),
    createdAt: z.string(),
    revokedAt: z.string().nullable(),
    lastUsedAt: z.string().nullable(),
  })
  .meta({ id: 'ApiKey' });

export const createdKeySchema = keySchema
  .extend({
    key: z.string().describe('The API key itself: shown this once, only its hash is stored'),
    signingSecret: z.string().describe("The key's callback signing secret (Flowq-Signature): shown this once, stored sealed"),
  })
  .meta({ id: 'CreatedApiKey' });

export const rotatedSecretSchema = keySchema
  .extend({ signingSecret: z.string().describe('The new callback signing secret: shown this once; callbacks sent from now on use it') })
  .meta({ id: 'RotatedSigningSecret' });

export const keyListSchema = z.object({ items: z.array(keySchema) }).meta({ id: 'ApiKeyList' });

export const keyIdParams = z.object({ id: z.string().min(1).max(64) });
