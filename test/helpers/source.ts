import { readFileSync } from 'node:fs';

/**
 * An independent reading of the source document copied into seeds/sources, so a slip in the
 * seed transcription shows up as a difference between this parse and what the API serves.
 */
export const sourcePath = new URL('../../seeds/sources/004_9541c4a2d4453ff8.txt', import.meta.url);

export interface SourceArticle {
  part: string;
  number: string;
  title: string;
  text: string;
}

export interface SourceRow {
  number: number;
  cells: string[];
}

export function readSource() {
  const lines = readFileSync(sourcePath, 'utf8').split('\n');
  const annexIndex = lines.findIndex((line) => line.startsWith('附件：'));
  const articles: SourceArticle[] = [];
  const parts: { number: string; title: string }[] = [];
  for (const raw of lines.slice(0, annexIndex)) {
    const line = raw.trim();
    const part = /^([一二三四五六七八九十]+)、(.+)$/.exec(line);
    const article = /^（([一二三四五六七八九十]+)）(.+)$/.exec(line);
    if (part) parts.push({ number: part[1]!, title: part[2]! });
    else if (article) articles.push({ part: parts.at(-1)!.number, number: `（${article[1]}）`, title: article[2]!, text: '' });
    else if (line && articles.length > 0) {
      const last = articles.at(-1)!;
      last.text = last.text ? `${last.text}\n${line}` : line;
    }
  }
  return { parts, articles, annex1: table(lines, '教育部支持政策清单', 1), annex2: table(lines, '天津市工作任务清单', 2) };
}

/** Annex tables are tab-indented: a row is its number on a line, then one line per cell. */
function table(lines: string[], title: string, cellCount: number): SourceRow[] {
  const start = lines.findIndex((line, index) => index > 100 && line.trim() === title);
  const rows: SourceRow[] = [];
  for (let i = start + 1; i < lines.length; i++) {
    const line = lines[i]!;
    if (/^附件\d/.test(line.trim())) break;
    const number = /^\t(\d+)$/.exec(line);
    if (number) {
      rows.push({ number: Number(number[1]), cells: lines.slice(i + 1, i + 1 + cellCount).map((cell) => cell.replace(/^\t/, '')) });
      i += cellCount;
    }
  }
  return rows;
}
