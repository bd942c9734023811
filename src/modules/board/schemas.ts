import { z } from 'zod';
import { BooleanFlag, Id } from '../common/schemas.js';
import { Health, TaskStatus } from '../tasks/schemas.js';
import { LANGS } from './i18n.js';

/** Every page takes `lang`; anything else it does not name is refused, as the API refuses it. */
export const PageQuery = z.strictObject({ lang: z.enum(LANGS).default('zh') });

export const ListQuery = PageQuery.extend({
  status: TaskStatus.optional(),
  agency: Id.optional(),
  health: Health.optional(),
  overdue: BooleanFlag.optional(),
  stale: BooleanFlag.optional(),
});

export type ListFilters = Omit<z.output<typeof ListQuery>, 'lang'>;

export const BulletinParams = z.object({
  id: Id,
  // From 1970 on: no list predates it, and the database refuses instants around year 1.
  month: z.string().regex(/^(19[7-9]\d|[2-9]\d{3})-(0[1-9]|1[0-2])$/, 'a month from 1970-01 on, such as 2026-03'),
});

export type BulletinParams = z.output<typeof BulletinParams>;

export const SignInQuery = PageQuery.extend({ next: z.string().max(2000).optional() });

export const SignInForm = z.object({
  key: z.string().max(200),
  next: z.string().max(2000).optional(),
  lang: z.enum(LANGS).default('zh'),
  _csrf: z.string().max(200).optional(),
});

export const SignOutForm = z.object({ _csrf: z.string().max(200).optional() });
