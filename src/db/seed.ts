import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { eq } from 'drizzle-orm';
import { SYSTEM_ACTOR } from '../domain/ledger.js';
import type { ImportFile } from '../modules/documents/format.js';
import { checkImportText, type ImportIssue } from '../modules/documents/validate.js';
import type { Database } from './client.js';
import { importDocument, importHash } from './import.js';
import { documents } from './schema/index.js';

export const seedsDir = fileURLToPath(new URL('../../seeds/', import.meta.url));

export interface SeedFile {
  name: string;
  file: ImportFile;
}

export interface SeedResult {
  tasksCreated: number;
  /** Seed files applied; the others matched what their last import stored and were skipped. */
  applied: string[];
}

export function formatIssues(name: string, issues: readonly ImportIssue[]): string {
  return [`${name} cannot be imported:`, ...issues.map((issue) => `  ${name}${issue.line ? `:${issue.line}` : ''} ${issue.path || '(file)'}: ${issue.message}`)].join('\n');
}

/** Reads every seeds/*.json import file (or those named), units-only files first, so documents can name their units. */
export async function loadSeedFiles(dir = seedsDir, only?: readonly string[]): Promise<SeedFile[]> {
  const names = (await readdir(dir)).filter((name) => name.endsWith('.json') && (only === undefined || only.includes(name))).sort();
  const files: SeedFile[] = [];
  for (const name of names) {
    const checked = checkImportText(await readFile(join(dir, name), 'utf8'));
    if (!checked.ok) throw new Error(formatIssues(`seeds/${name}`, checked.issues));
    files.push({ name, file: checked.file });
  }
  return [...files.filter((seed) => !seed.file.document), ...files.filter((seed) => seed.file.document)];
}

/**
 * Imports the seed files through the one importer. A document is imported when it is missing, or
 * when its last import came from the same seed file (or predates import tracking) and the file has
 * changed since; a document an office has since imported by other means is left to that import.
 */
export async function seedDatabase(db: Database, seeds: readonly SeedFile[], now: Date): Promise<SeedResult> {
  const result: SeedResult = { tasksCreated: 0, applied: [] };
  for (const seed of seeds) {
    const source = `seed:${seed.name}`;
    if (seed.file.document) {
      const [stored] = await db
        .select({ importedFrom: documents.importedFrom, importHash: documents.importHash })
        .from(documents)
        .where(eq(documents.id, seed.file.document.id));
      if (stored && ((stored.importedFrom !== null && stored.importedFrom !== source) || stored.importHash === importHash(seed.file))) continue;
    }
    const summary = await importDocument(db, seed.file, { now, actor: SYSTEM_ACTOR, source });
    result.tasksCreated += summary.tasks.created;
    if (!summary.unchanged) result.applied.push(seed.name);
  }
  return result;
}
