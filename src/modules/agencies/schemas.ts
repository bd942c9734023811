import { z } from 'zod';
import { agencyKind } from '../../db/schema/index.js';
import { Id, pageOf, PageQuery } from '../common/schemas.js';

export const AgencyKind = z.enum(agencyKind.enumValues).meta({ id: 'AgencyKind' });

export const Agency = z
  .object({
    id: Id,
    name: z.string().describe('Short name as written in the source (市教委).'),
    fullName: z.string(),
    nameEn: z.string(),
    kind: AgencyKind,
    memberIds: z.array(Id).describe('For a group: the agencies that act for it.'),
    groupIds: z.array(Id).describe('The groups this agency belongs to.'),
  })
  .meta({ id: 'Agency' });

export const AgencyPage = pageOf(Agency).meta({ id: 'AgencyPage' });

export const AgencyListQuery = PageQuery.extend({ kind: AgencyKind.optional() });

export type Agency = z.infer<typeof Agency>;
