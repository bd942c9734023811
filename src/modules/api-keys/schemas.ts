import { z } from 'zod';
import { keyRole } from '../../db/schema/index.js';
import { Id, pageOf, PageQuery, Text, Timestamp } from '../common/schemas.js';

export const KeyRole = z.enum(keyRole.enumValues).meta({
  id: 'KeyRole',
  description: 'admin: keys and configuration; supervisor: due dates, verification (销号), rejection, reopening; agency: the tasks of one agency; auditor: read-only, ledger included.',
});

export const KeyId = z.string().regex(/^[a-z0-9]{12}$/, 'must be the 12-character key id');

export const ApiKey = z
  .object({
    id: KeyId,
    role: KeyRole,
    agencyId: Id.nullable(),
    label: z.string(),
    createdAt: Timestamp,
    createdBy: KeyId.nullable().describe('The admin key that created it; null for the bootstrap key and keys made on the command line.'),
    revokedAt: Timestamp.nullable(),
  })
  .meta({ id: 'ApiKey' });

export const NewApiKey = z
  .strictObject({
    role: KeyRole,
    agencyId: Id.optional().describe('Required for, and only for, role agency.'),
    label: Text.trim().min(1).max(200).describe('Who holds the key and what for.'),
  })
  .meta({ id: 'NewApiKey' });

export const CreatedApiKey = ApiKey.extend({
  key: z.string().describe('The key itself. Shown this once; only a digest is stored.'),
}).meta({ id: 'CreatedApiKey' });

export const ApiKeyPage = pageOf(ApiKey).meta({ id: 'ApiKeyPage' });
export const ApiKeyListQuery = PageQuery;
export const KeyIdParams = z.object({ id: KeyId });

export const Me = z
  .object({
    keyId: KeyId.nullable(),
    role: z.enum([...keyRole.enumValues, 'public']),
    agencyId: Id.nullable(),
    agencyName: z.string().nullable(),
    groupIds: z.array(Id).describe('Groups the agency acts for (各区人民政府 for a district).'),
  })
  .meta({ id: 'Me' });

export type ApiKey = z.infer<typeof ApiKey>;
