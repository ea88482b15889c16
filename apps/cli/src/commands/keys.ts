import { CliError } from '../cli-error';
import type { CliIo } from '../io';
import { clientFrom, CONNECTION_HELP, onePositional, parseCommand } from '../options';

export const KEYS_HELP = `usage: flowq keys create --name NAME [--admin]
       flowq keys list
       flowq keys revoke KEY_ID
       flowq keys rotate-secret KEY_ID

Manages the API keys stored in flowq (needs an admin key).

  create    prints the new key on stdout, once: flowq keeps only its hash; its callback
            signing secret goes to stderr, once too
  rotate-secret  prints a new callback signing secret on stdout, once; callbacks sent
            from now on are signed with it
  list      id, name, admin, created, last used, revoked
  revoke    the key stops working within 5 seconds

  --name NAME   who or what the key is for (create)
  --admin       the key may manage accounts and keys and see every job (create)
  --json        print the API's JSON (create, list)
${CONNECTION_HELP}`;

interface KeyView {
  id: string;
  name: string;
  admin: boolean;
  createdAt: string;
  revokedAt: string | null;
  lastUsedAt: string | null;
}

function keyLine(k: KeyView): string {
  const state = k.revokedAt ? `revoked ${k.revokedAt}` : `last used ${k.lastUsedAt ?? 'never'}`;
  return `${k.id}  ${k.admin ? 'admin' : 'user '}  ${k.name}  created ${k.createdAt}  ${state}`;
}

export async function keysCommand(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommand(args, { name: { type: 'string' }, admin: { type: 'boolean' }, json: { type: 'boolean' } });
  const [action, ...rest] = positionals;
  if (values.help || !action) {
    io.stdout.write(`${KEYS_HELP}\n`);
    return values.help ? 0 : 2;
  }
  if (action === 'create') {
    if (rest.length) throw new CliError('keys create takes no KEY_ID; see --help', 2);
    const name = values.name?.trim();
    if (!name) throw new CliError('keys create needs --name NAME', 2);
    const created = await clientFrom(values, io).json<KeyView & { key: string; signingSecret: string }>('/v1/keys', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name, admin: values.admin === true }),
    });
    if (values.json) io.stdout.write(`${JSON.stringify(created, null, 2)}\n`);
    else {
      io.stdout.write(`${created.key}\n`);
      io.stderr.write(`created ${created.admin ? 'admin ' : ''}key ${created.id} "${created.name}": shown this once, store it now\n`);
      io.stderr.write(`callback signing secret (verifies Flowq-Signature; shown this once): ${created.signingSecret}\n`);
    }
    return 0;
  }
  if (action === 'list') {
    const { items } = await clientFrom(values, io).json<{ items: KeyView[] }>('/v1/keys');
    io.stdout.write(values.json ? `${JSON.stringify(items, null, 2)}\n` : items.map((k) => `${keyLine(k)}\n`).join(''));
    return 0;
  }
  if (action === 'revoke') {
    const id = onePositional(rest, 'KEY_ID');
    const revoked = await clientFrom(values, io).json<KeyView>(`/v1/keys/${encodeURIComponent(id)}`, { method: 'DELETE' });
    io.stdout.write(`revoked ${revoked.id} "${revoked.name}"\n`);
    return 0;
  }
  if (action === 'rotate-secret') {
    const id = onePositional(rest, 'KEY_ID');
    const rotated = await clientFrom(values, io).json<KeyView & { signingSecret: string }>(`/v1/keys/${encodeURIComponent(id)}/signing-secret`, {
      method: 'POST',
    });
    if (values.json) io.stdout.write(`${JSON.stringify(rotated, null, 2)}\n`);
    else {
      io.stdout.write(`${rotated.signingSecret}\n`);
      io.stderr.write(`new callback signing secret for ${rotated.id} "${rotated.name}": shown this once; callbacks from now on are signed with it\n`);
    }
    return 0;
  }
  throw new CliError(`unknown keys action "${action}": create, list, revoke or rotate-secret; see --help`, 2);
}
