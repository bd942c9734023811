import { z } from 'zod';
import { Id, pageOf, PageQuery } from '../common/schemas.js';
import { UnitKind } from '../documents/format.js';

export const AgencyKind = UnitKind.meta({ id: 'AgencyKind' });

export const Agency = z
  .object({
    id: Id,
    name: z.string().describe('Short name as written in the source (市教委, 教务处); unique among the units of its parent.'),
    fullName: z.string(),
    nameEn: z.string(),
    kind: AgencyKind,
    parentId: Id.nullable().describe('The unit this one is part of (a college’s office); null at the top.'),
    memberIds: z.array(Id).describe('For a group: the agencies that act for it.'),
    groupIds: z.array(Id).describe('The groups this agency belongs to.'),
  })
  .meta({ id: 'Agency' });

export const AgencyPage = pageOf(Agency).meta({ id: 'AgencyPage' });

export const AgencyListQuery = PageQuery.extend({
  kind: AgencyKind.optional(),
  parent: Id.optional().describe('Only the units directly under this one.'),
});

export type Agency = z.infer<typeof Agency>;
