import { findNodeAtLocation, type Node, parse, type ParseError, parseTree, printParseErrorCode } from 'jsonc-parser';
import type { z } from 'zod';
import { ImportFile } from './format.js';

/** One thing wrong with an import file: where (a dotted path, and the line where the text is at hand) and what. */
export interface ImportIssue {
  path: string;
  line?: number | undefined;
  message: string;
}

export type Checked = { ok: true; file: ImportFile } | { ok: false; issues: ImportIssue[] };

/** Finds the line of a path in the file's text, for the messages people read next to their editor. */
export class LineFinder {
  private readonly root: Node | undefined;
  private readonly lineStarts: number[] = [0];

  constructor(text: string) {
    this.root = parseTree(text);
    for (let i = 0; i < text.length; i++) if (text[i] === '\n') this.lineStarts.push(i + 1);
  }

  lineAt(offset: number): number {
    let low = 0;
    let high = this.lineStarts.length - 1;
    while (low < high) {
      const mid = (low + high + 1) >> 1;
      if (this.lineStarts[mid]! <= offset) low = mid;
      else high = mid - 1;
    }
    return low + 1;
  }

  /** The line of the value at the path, or of the nearest enclosing value that exists (a missing key: its object). */
  lineOf(path: readonly (string | number)[]): number | undefined {
    if (!this.root) return undefined;
    for (let depth = path.length; depth >= 0; depth--) {
      const node = findNodeAtLocation(this.root, [...path.slice(0, depth)]);
      if (node) return this.lineAt(node.parent?.type === 'property' ? node.parent.offset : node.offset);
    }
    return undefined;
  }
}

export function dotted(path: readonly PropertyKey[]): string {
  return path.map(String).join('.');
}

/**
 * Reads an import file: strict JSON, then the format schema. Every issue is returned, not the
 * first; an unknown key is one of them.
 */
export function checkImportText(text: string): Checked {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return { ok: false, issues: [{ path: '', ...jsonSyntaxIssue(text, error as SyntaxError) }] };
  }
  return checkImportValue(value, new LineFinder(text));
}

export function checkImportValue(value: unknown, lines?: LineFinder): Checked {
  const parsed = ImportFile.safeParse(value);
  if (parsed.success) return { ok: true, file: parsed.data };
  return { ok: false, issues: parsed.error.issues.flatMap((issue) => issuesOf(issue, lines)) };
}

/** The issues with the lines where their paths are in the text. */
export function withLines(issues: readonly ImportIssue[], text: string): ImportIssue[] {
  const lines = new LineFinder(text);
  return issues.map((issue) => ({ ...issue, line: issue.line ?? lines.lineOf(issue.path === '' ? [] : issue.path.split('.').map((key) => (/^\d+$/.test(key) ? Number(key) : key))) }));
}

function issuesOf(issue: z.core.$ZodIssue, lines: LineFinder | undefined): ImportIssue[] {
  const path = issue.path.filter((key): key is string | number => typeof key !== 'symbol');
  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map((key) => ({ path: dotted([...path, key]), line: lines?.lineOf([...path, key]), message: `unknown key "${key}": the format has no such field` }));
  }
  return [{ path: dotted(path), line: lines?.lineOf(path), message: issue.message }];
}

/** Where the JSON breaks: JSON.parse's messages do not always say, so a tolerant parser finds the offset. */
function jsonSyntaxIssue(text: string, error: SyntaxError): { line?: number; message: string } {
  const errors: ParseError[] = [];
  parse(text, errors, { disallowComments: true, allowTrailingComma: false, allowEmptyContent: false });
  const [first] = errors;
  if (!first) return { message: `not JSON: ${error.message}` };
  return { line: new LineFinder(text).lineAt(first.offset), message: `not JSON: ${printParseErrorCode(first.error)} (${error.message})` };
}
