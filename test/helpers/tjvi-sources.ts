import { readFileSync } from 'node:fs';

/**
 * Independent readings of the three Tianjin Vocational Institute sources in seeds/sources, by the
 * patterns of their text (numbering, headings, brackets) rather than by line, so a slip in the
 * seed transcription shows up as a difference between this parse and the seed or the API.
 * The readings in seeds/READINGS.md are encoded here once more, on purpose.
 */

export const sourceUrl = (file: string) => new URL(`../../seeds/sources/${file}`, import.meta.url);
export const TJVI_2018_FILE = '000_be1c4189393507e5.txt';
export const TJVI_2019_FILE = '003_4b8d62dc33741eac.txt';
export const TJVI_2021_FILE = '001_5982582bb7d01f60.txt';

export interface Window {
  start: string;
  end: string;
}

export interface SourceIndicator {
  target: number;
  /** As printed next to the number; null when the number stands without a unit of count. */
  unit: string | null;
}

export interface SourceTask {
  number: number;
  label: string | null;
  title: string | null;
  text: string;
  responsibleText: string | null;
  /** Names of the responsible units in order, the first leading, as the source gives them. */
  units: string[];
  window: Window | null;
  indicators: SourceIndicator[];
  children: SourceTask[];
}

export interface SourcePart {
  number: string;
  title: string | null;
  text: string | null;
  articles: { number: string; title: string | null; text: string }[];
}

export interface SourceDocument {
  title: string;
  issuers: string[];
  issuedOn: string | null;
  docNumber: string | null;
  parts: SourcePart[];
}

export function sourceText(file: string): string {
  return readFileSync(sourceUrl(file), 'utf8');
}

/** The source with the extraction's line breaks taken out: what a verbatim text must be part of. */
export function flatSource(file: string): string {
  return sourceText(file)
    .split('\n')
    .map((line) => line.trim())
    .join('');
}

const lines = (file: string) => sourceText(file).split('\n').map((line) => line.trim());
const nonEmpty = (list: string[]) => list.filter((line) => line !== '');
const between = (list: string[], from: (line: string) => boolean, to: (line: string) => boolean) => {
  const start = list.findIndex(from);
  if (start < 0) throw new Error('section start not found');
  const rest = list.slice(start + 1);
  const end = rest.findIndex(to);
  return end < 0 ? rest : rest.slice(0, end);
};
const task = (fields: Partial<SourceTask> & Pick<SourceTask, 'number' | 'text'>): SourceTask => ({
  label: null,
  title: null,
  responsibleText: null,
  units: [],
  window: null,
  indicators: [],
  children: [],
  ...fields,
});

const pad = (n: number) => String(n).padStart(2, '0');
const lastDay = (year: number, month: number) => new Date(Date.UTC(year, month, 0)).getUTCDate();
const day = (year: number, month: number, d: number) => `${year}-${pad(month)}-${pad(d)}`;

/**
 * A date of the 2018 plan as the start or end of a phase: 2018年8月20日 is that day; 2018年9月底
 * is the month's last day; a month alone is its first day as a start and its last as an end.
 */
export function planDate(text: string, as: 'start' | 'end'): string {
  const m = /^(\d{4})年(\d{1,2})月(?:(\d{1,2})日|(底))?$/.exec(text);
  if (!m) throw new Error(`not a plan date: ${text}`);
  const year = Number(m[1]);
  const month = Number(m[2]);
  if (m[3]) return day(year, month, Number(m[3]));
  if (m[4] || as === 'end') return day(year, month, lastDay(year, month));
  return day(year, month, 1);
}

/**
 * A date of the 2019 campaign (the year is the document number's): 上旬 days 1–10, 中旬 11–20,
 * 下旬 21 to the end; 月底 as an end is the last day and, as a start, read as the start of 下旬.
 */
export function campaignDate(text: string, as: 'start' | 'end', year = 2019): string {
  const m = /^(\d{1,2})月(上旬|中旬|下旬|底)$/.exec(text);
  if (!m) throw new Error(`not a campaign date: ${text}`);
  const month = Number(m[1]);
  const [first, last] = { 上旬: [1, 10], 中旬: [11, 20], 下旬: [21, lastDay(year, month)], 底: [21, lastDay(year, month)] }[m[2] as '上旬']!;
  return day(year, month, as === 'start' ? first! : last!);
}

// ---------------------------------------------------------------- 津职大〔2018〕118号

const MEMBER_LINE = /^(组  长|副组长|成  员|办公室主任|办公室成员)：/;

export function read2018() {
  const all = lines(TJVI_2018_FILE);
  const notice = all.slice(0, all.findIndex((line) => line.startsWith('附件：')));
  const numberIndex = notice.findIndex((line) => /〔\d{4}〕\d+号$/.test(line));
  const addressIndex = notice.findIndex((line) => line.endsWith('单位：'));
  const date = /^(\d{4})年(\d{1,2})月(\d{1,2})日$/.exec(all.find((line) => /^\d{4}年\d{1,2}月\d{1,2}日$/.test(line))!)!;
  const document: SourceDocument = {
    title: nonEmpty(notice.slice(numberIndex + 1, addressIndex)).join(''),
    issuers: [notice[numberIndex - 1]!.replace(/文件$/, '')],
    issuedOn: day(Number(date[1]), Number(date[2]), Number(date[3])),
    docNumber: notice[numberIndex]!,
    parts: notice
      .map((line) => /^([一二三四五六七八九十]+)、(.+)$/.exec(line))
      .filter((m): m is RegExpExecArray => m !== null)
      .map((m) => ({ number: m[1]!, title: null, text: m[2]!, articles: [] })),
  };

  const annex1 = between(all, (line) => line === '附件1', (line) => line === '附件2');
  const annex1Title = nonEmpty(annex1.slice(0, annex1.findIndex((line) => line.startsWith('为贯彻')))).join('');
  const duties = annex1
    .map((line) => /^(\d+)\.\s*(.+)$/.exec(line))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => task({ number: Number(m[1]), text: m[2]!, units: ['援和项目办公室'] }));

  const annex2 = between(all, (line) => line === '附件2', () => false);
  const planTitle = nonEmpty(annex2.slice(0, annex2.findIndex((line) => line.startsWith('为贯彻')))).join('');
  const main = between(annex2, (line) => line === '二、主要任务', (line) => line === '三、进度安排');
  const groups: SourceTask[] = [];
  let item: SourceTask | null = null;
  let closed = false; // an item's body ends at its 成员如下：, what follows is the pasted member list
  for (const line of nonEmpty(main)) {
    const group = /^（([一二三四五六七八九十])）(.+)$/.exec(line);
    const numbered = /^(\d+)\.\s*(.+)$/.exec(line);
    if (group) {
      groups.push(task({ number: groups.length + 1, label: `（${group[1]}）`, title: group[2]!, text: group[2]!, units: ['天津职业大学'] }));
      item = null;
    } else if (numbered) {
      item = task({ number: Number(numbered[1]), title: numbered[2]!, text: '', units: ['天津职业大学'] });
      groups.at(-1)!.children.push(item);
      closed = false;
    } else if (item && !closed) {
      if (line.endsWith('如下：')) closed = true;
      else if (!MEMBER_LINE.test(line)) item.text = item.text ? `${item.text}\n${line}` : line;
    }
  }
  const majors = groups[1]!.children.find((child) => child.title!.includes('专业建设'))!;
  majors.children = [...majors.text.matchAll(/(?<=^|，)(由?(天津[^，]*?)对口支援[^，]*?专业)(?=，)/g)].map((m, i) =>
    task({ number: i + 1, text: m[1]!, units: [m[2]!] }),
  );

  const schedule = between(annex2, (line) => line === '三、进度安排', (line) => line === '四、保障措施');
  const term = schedule.find((line) => line.startsWith('援和项目期限'))!;
  const phases = schedule
    .map((line) => /^(第[一二三四五六七八九十]阶段)，(\d{4}年\d{1,2}月(?:\d{1,2}日|底)?)-(\d{4}年\d{1,2}月(?:\d{1,2}日|底)?)，(.+)$/.exec(line))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m, i) =>
      task({ number: i + 1, label: m[1]!, text: m[4]!, units: ['天津职业大学'], window: { start: planDate(m[2]!, 'start'), end: planDate(m[3]!, 'end') } }),
    );

  return {
    document,
    term,
    lists: {
      'tjvi-2018-118-annex1': { annex: '1', title: annex1Title, tasks: duties },
      'tjvi-2018-118-annex2': { annex: '2', title: `${planTitle} 二、主要任务`, tasks: groups },
      'tjvi-2018-118-schedule': { annex: '2', title: `${planTitle} 三、进度安排`, tasks: phases },
    } as Record<string, { annex: string | null; title: string; tasks: SourceTask[] }>,
  };
}

// ---------------------------------------------------------------- 津职大党〔2019〕68号

export function read2019() {
  const all = lines(TJVI_2019_FILE);
  const numberIndex = all.findIndex((line) => /〔\d{4}〕\d+号$/.test(line));
  const plan = between(all, (line) => line === '附件', () => false);
  const planTitle = nonEmpty(plan.slice(0, plan.findIndex((line) => line.startsWith('根据')))).join('');
  const sections = new Map<string, { title: string; lines: string[] }>();
  let current: string[] | null = null;
  for (const line of nonEmpty(plan)) {
    const heading = /^([一二三四五六七八九十])、(.+)$/.exec(line);
    if (heading) {
      current = [];
      sections.set(heading[1]!, { title: heading[2]!, lines: current });
    } else current?.push(line);
  }
  const article = (line: string) => {
    const m = /^（([一二三四五六七八九十])）([^。]+)。(.+)$/.exec(line)!;
    return { number: `（${m[1]}）`, title: m[2]!, text: m[3]! };
  };
  const isArticle = (line: string) => /^（[一二三四五六七八九十]）/.test(line);
  const isItem = (line: string) => /^\d+\./.test(line);
  const document: SourceDocument = {
    title: all[numberIndex + 1]!,
    issuers: [all[numberIndex - 1]!.replace(/文件$/, '')],
    issuedOn: null,
    docNumber: all[numberIndex]!,
    parts: [...sections].map(([number, section]) => {
      const intro = section.lines.filter((line) => !isArticle(line) && !isItem(line));
      const articles = number === '四' ? section.lines.filter(isArticle).map(article) : [];
      return { number, title: section.title, text: intro.length > 0 ? intro.join('\n') : null, articles };
    }),
  };

  const phases = sections
    .get('二')!
    .lines.filter(isArticle)
    .map((line, i) => {
      const m = /^(（[一二三四五六七八九十]）)((.+?阶段)（(\d{1,2}月[^—]+)—(\d{1,2}月[^）]+)）。.+)（([^（）]+)）$/.exec(line)!;
      const cell = m[6]!;
      return task({
        number: i + 1,
        label: m[1]!,
        title: m[3]!,
        text: m[2]!,
        responsibleText: cell,
        units: cell.split('、').filter((name) => name !== '各单位'),
        window: { start: campaignDate(m[4]!, 'start'), end: campaignDate(m[5]!, 'end') },
      });
    });
  const topics = sections
    .get('三')!
    .lines.filter(isItem)
    .map((line) => {
      const m = /^(\d+)\.(.+?)[；。]?$/.exec(line)!;
      return task({ number: Number(m[1]), text: m[2]! });
    });
  return {
    document,
    lists: {
      'tjvi-2019-68-phases': { annex: null, title: `${planTitle} 二、方法步骤`, tasks: phases },
      'tjvi-2019-68-topics': { annex: null, title: `${planTitle} 三、研讨主题`, tasks: topics },
    } as Record<string, { annex: string | null; title: string; tasks: SourceTask[] }>,
  };
}

// ---------------------------------------------------------------- 2021 roadmap

/** Number-and-unit targets as the roadmap prints them (5名, 500人次, 21个, 10%). */
const TARGET = /(\d+)(人次|名|个|%)/g;

export function read2021() {
  const all = nonEmpty(lines(TJVI_2021_FILE));
  const titleLine = all.find((line) => line.includes('路线图'))!;
  const start = all.indexOf(titleLine);
  const yearLines = all.slice(start + 1, start + 10).filter((line) => /^\d{4}年$/.test(line));
  const blocks = all.slice(start + 1).filter((line) => line.startsWith('1. ')).slice(0, yearLines.length);
  const years = yearLines.map((yearLine, i) => {
    const year = Number(yearLine.slice(0, 4));
    const children = [...blocks[i]!.matchAll(/(\d+)\. (.+?)(?=；\d+\. |$)/g)].map((m) => {
      const text = m[2]!.replace(/。$/, '');
      const indicators: SourceIndicator[] = [...text.matchAll(TARGET)].map((t) => ({ target: Number(t[1]), unit: t[2]! }));
      // Targets the pattern cannot see: 7大专业群 (no unit of count) and 万人规模 (10000 人).
      const groups = /(\d+)大专业群/.exec(text);
      if (groups) indicators.push({ target: Number(groups[1]), unit: null });
      if (/万人规模/.test(text)) indicators.push({ target: 10000, unit: '人' });
      return task({ number: Number(m[1]), text, units: ['天津职业大学'], indicators });
    });
    return task({ number: i + 1, label: yearLine, text: yearLine, units: ['天津职业大学'], window: { start: `${year}-01-01`, end: `${year}-12-31` }, children });
  });
  const partTitle = all[all.indexOf(titleLine) - 2]!;
  const document: SourceDocument = {
    title: all.find((line) => line.includes('精准施策促脱贫 '))!,
    issuers: ['天津职业大学'],
    issuedOn: null,
    docNumber: null,
    parts: [
      {
        number: partTitle.split('、')[0]!,
        title: partTitle.split('、')[1]!,
        text: all
          .slice(all.indexOf(partTitle) + 1, all.indexOf(titleLine) + 2)
          .filter((line) => line.startsWith('- '))
          .map((line) => line.slice(2))
          .join('\n'),
        articles: [],
      },
    ],
  };
  return {
    document,
    lists: {
      'tjvi-2021-roadmap': { annex: null, title: /分年度明确了(.+)；/.exec(titleLine)![1]!, tasks: years },
    } as Record<string, { annex: string | null; title: string; tasks: SourceTask[] }>,
  };
}

/** A target as the source may print it: the digits, or 万 for ten thousand, followed by the unit. */
export function printedTarget(target: number, unit: string | null): string[] {
  const forms = [String(target)];
  if (target === 10000) forms.push('万');
  return forms.map((form) => `${form}${unit ?? ''}`);
}
