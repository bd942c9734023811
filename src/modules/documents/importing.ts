import type { Database } from '../../db/client.js';
import { importDocument, type ImportOptions } from '../../db/import.js';
import { ImportRejectedError } from '../../domain/errors.js';
import { FORMAT_VERSION } from './format.js';
import type { ImportSummary } from './schemas.js';
import { checkImportText, type ImportSyntax, withLines } from './validate.js';

/**
 * An import file as text (JSON or YAML), checked whole, then applied whole (db/import.ts). Every issue, of the
 * format or against what is stored, is reported with its path and the line it is on.
 */
export async function importText(db: Database, text: string, syntax: ImportSyntax, options: ImportOptions): Promise<ImportSummary> {
  const checked = checkImportText(text, syntax);
  if (!checked.ok) {
    const count = checked.issues.length;
    throw new ImportRejectedError(`The file does not match the import format ${FORMAT_VERSION}: ${count} problem${count === 1 ? '' : 's'}, listed in errors; nothing was written.`, checked.issues);
  }
  try {
    return await importDocument(db, checked.file, options);
  } catch (error) {
    if (error instanceof ImportRejectedError) throw new ImportRejectedError(error.message, withLines(error.issues, checked.lines));
    throw error;
  }
}
