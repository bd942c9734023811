import { findNodeAtLocation, type Node, parse, type ParseError, parseTree, printParseErrorCode } from 'jsonc-parser';
import { type Document, isNode, LineCounter, parseDocument } from 'yaml';
import type { z } from 'zod';
import { ImportFile } from './format.js';

/** The two spellings of an import file: JSON, and YAML for people who edit their lists by hand. */
export type ImportSyntax = 'json' | 'yaml';

/** Where in a file's text a path is. */
export interface Lines {
  lineOf(path: readonly (string | number)[]): number | undefined;
}

/** One thing wrong with an import file: where (a dotted path, and the line where the text is at hand) and what. */
export interface ImportIssue {
  path: string;
  line?: number | undefined;
  message: string;
}

/** A file read and checked, with where its paths are, for issues found later against the stored data. */
export type Checked = { ok: true; file: ImportFile; lines: Lines } | { ok: false; issues: ImportIssue[] };

/** Finds the line of a path in a JSON file's text, for the messages people read next to their editor. */
export class LineFinder implements Lines {
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

function dotted(path: readonly PropertyKey[]): string {
  return path.map(String).join('.');
}

/** The same for a YAML file, from the positions its parser keeps. */
class YamlLines implements Lines {
  constructor(
    private readonly document: Document,
    private readonly counter: LineCounter,
  ) {}

  lineOf(path: readonly (string | number)[]): number | undefined {
    for (let depth = path.length; depth >= 0; depth--) {
      const node = depth === 0 ? this.document.contents : this.document.getIn(path.slice(0, depth), true);
      if (isNode(node) && node.range) return this.counter.linePos(node.range[0]).line;
    }
    return undefined;
  }
}

/**
 * Reads an import file: strict JSON (or YAML 1.2, core schema, without aliases or duplicate keys),
 * then the format schema. Every issue is returned, not the first; an unknown key is one of them.
 */
export function checkImportText(text: string, syntax: ImportSyntax = 'json'): Checked {
  if (syntax === 'yaml') return checkYaml(text);
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

const tooDeepIssue: ImportIssue = { path: '', message: `nested deeper than ${MAX_NESTING} levels; no document's task tree goes that deep` };

function checkDepth(value: unknown): ImportIssue | null {
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length > 0) {
    const [item, depth] = stack.pop()!;
    if (item === null || typeof item !== 'object') continue;
    if (depth > MAX_NESTING) return tooDeepIssue;
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

function checkImportValue(value: unknown, lines: Lines): Checked {
  const tooDeep = checkDepth(value);
  if (tooDeep) return { ok: false, issues: [tooDeep] };
  const parsed = ImportFile.safeParse(value);
  if (parsed.success) {
    const count = taskCount(parsed.data);
    if (count > MAX_TASKS) return { ok: false, issues: [{ path: 'lists', line: lines.lineOf(['lists']), message: `${count} tasks; one import takes at most ${MAX_TASKS}` }] };
    return { ok: true, file: parsed.data, lines };
  }
  return { ok: false, issues: parsed.error.issues.flatMap((issue) => issuesOf(issue, lines)) };
}

function checkYaml(text: string): Checked {
  const counter = new LineCounter();
  let document: Document;
  let value: unknown;
  try {
    document = parseDocument(text, { lineCounter: counter, uniqueKeys: true, schema: 'core' });
    if (document.errors.length > 0) {
      if (document.errors.some((error) => /call stack/i.test(error.message))) return { ok: false, issues: [tooDeepIssue] };
      return { ok: false, issues: document.errors.map((error) => ({ path: '', line: error.linePos?.[0].line, message: `not YAML: ${error.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '')}` })) };
    }
    value = document.toJS({ maxAliasCount: 0 });
  } catch (error) {
    // A nesting too deep for the parser's stack, or an alias, which no list needs and which can multiply a file's size.
    if (error instanceof RangeError) return { ok: false, issues: [tooDeepIssue] };
    if (error instanceof Error) return { ok: false, issues: [{ path: '', message: `not usable YAML: ${error.message}` }] };
    throw error;
  }
  return checkImportValue(value, new YamlLines(document, counter));
}

/** The issues with the lines where their paths are in the text. */
export function withLines(issues: readonly ImportIssue[], lines: Lines): ImportIssue[] {
  return issues.map((issue) => ({ ...issue, line: issue.line ?? lines.lineOf(issue.path === '' ? [] : issue.path.split('.').map((key) => (/^\d+$/.test(key) ? Number(key) : key))) }));
}

function issuesOf(issue: z.core.$ZodIssue, lines: Lines): ImportIssue[] {
  const path = issue.path.filter((key): key is string | number => typeof key !== 'symbol');
  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map((key) => ({ path: dotted([...path, key]), line: lines.lineOf([...path, key]), message: `unknown key "${key}": the format has no such field` }));
  }
  return [{ path: dotted(path), line: lines.lineOf(path), message: issue.message }];
}

/** Where the JSON breaks: JSON.parse's messages do not always say, so a tolerant parser finds the offset. */
function jsonSyntaxIssue(text: string, error: SyntaxError): { line?: number; message: string } {
  const errors: ParseError[] = [];
  try {
    parse(text, errors, { disallowComments: true, allowTrailingComma: false, allowEmptyContent: false });
  } catch (locating) {
    // The tolerant parser recurses: broken JSON nested deeper than its stack is reported without a line.
    if (locating instanceof RangeError) return { message: `not JSON: ${error.message}` };
    throw locating;
  }
  const [first] = errors;
  if (!first) return { message: `not JSON: ${error.message}` };
  return { line: new LineFinder(text).lineAt(first.offset), message: `not JSON: ${printParseErrorCode(first.error)} (${error.message})` };
}
