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
  private tree: { root: Node | undefined } | undefined;
  private readonly lineStarts: number[] = [0];

  constructor(private readonly text: string) {
    for (let i = 0; i < text.length; i++) if (text[i] === '\n') this.lineStarts.push(i + 1);
  }

  /** Parsed when first asked for: only a file already held to MAX_NESTING gets that far. */
  private get root(): Node | undefined {
    this.tree ??= { root: parseTree(this.text) };
    return this.tree.root;
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

/**
 * Deeper than any document nests (a task tree of 30 levels is 62 levels of JSON), and bounded so
 * that checking a file never runs out of stack: a deeper file is refused before it is read further.
 */
export const MAX_NESTING = 64;

function checkDepth(value: unknown): ImportIssue | null {
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length > 0) {
    const [item, depth] = stack.pop()!;
    if (item === null || typeof item !== 'object') continue;
    if (depth > MAX_NESTING) return { path: '', message: `nested deeper than ${MAX_NESTING} levels; no document's task tree goes that deep` };
    for (const inner of Object.values(item)) stack.push([inner, depth + 1]);
  }
  return null;
}

/** More tasks than one import takes: a larger list comes in several files, one document each. */
export const MAX_TASKS = 20_000;

function taskCount(file: ImportFile): number {
  let count = 0;
  const stack = (file.lists ?? []).flatMap((list) => list.tasks);
  while (stack.length > 0) {
    count += 1;
    stack.push(...(stack.pop()!.children ?? []));
  }
  return count;
}

export function checkImportValue(value: unknown, lines?: LineFinder): Checked {
  const tooDeep = checkDepth(value);
  if (tooDeep) return { ok: false, issues: [tooDeep] };
  const parsed = ImportFile.safeParse(value);
  if (parsed.success) {
    const count = taskCount(parsed.data);
    if (count > MAX_TASKS) return { ok: false, issues: [{ path: 'lists', line: lines?.lineOf(['lists']), message: `${count} tasks; one import takes at most ${MAX_TASKS}` }] };
    return { ok: true, file: parsed.data };
  }
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
