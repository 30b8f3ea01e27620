/**
 * Fenced code blocks of a Markdown page (``` and ~~~, CommonMark's rules for opening and closing fences), each with
 * the `<!-- docs-test: … -->` annotation on the line before it, if any.
 *
 * Annotation syntax: `<!-- docs-test: word key=value key="a value" (a reason) -->`. Words and keys are free (the test
 * decides what they mean); the reason, in parentheses at the end, is what a skip must give.
 */

export interface Annotation {
  /** Bare words (`skip`, `output`) and `key=value` pairs, in order. */
  readonly words: readonly string[];
  readonly values: ReadonlyMap<string, string>;
  readonly reason: string | undefined;
  readonly text: string;
}

export interface CodeBlock {
  /** The page, relative to the repository. */
  readonly page: string;
  /** 1-based line of the opening fence. */
  readonly line: number;
  /** The first word of the info string, lower case ("" when none). */
  readonly lang: string;
  /** The rest of the info string. */
  readonly attributes: string;
  /** The content, with the fence's indentation removed, ending with a newline unless empty. */
  readonly text: string;
  readonly annotation: Annotation | undefined;
  /** `page:line`, to name the block in test titles and messages. */
  readonly where: string;
}

const OPEN = /^( {0,3}|\s*)(`{3,}|~{3,})(.*)$/;
const ANNOTATION = /^\s*<!--\s*docs-test:(.*?)-->\s*$/;

export function parseAnnotation(body: string): Annotation {
  let rest = body.trim();
  let reason: string | undefined;
  const reasonMatch = /\(([^()]*(?:\([^()]*\)[^()]*)*)\)\s*$/.exec(rest);
  if (reasonMatch) {
    reason = reasonMatch[1]!.trim();
    rest = rest.slice(0, reasonMatch.index).trim();
  }
  const words: string[] = [];
  const values = new Map<string, string>();
  for (const token of rest.matchAll(/([\w-]+)(?:=(?:"([^"]*)"|(\S+)))?/g)) {
    const [, key, quoted, plain] = token;
    if (quoted !== undefined || plain !== undefined) values.set(key!, quoted ?? plain!);
    else words.push(key!);
  }
  return { words, values, reason, text: body.trim() };
}

/** Every fenced code block of `markdown`; an unclosed fence runs to the end of the page, as in CommonMark. */
export function codeBlocks(page: string, markdown: string): CodeBlock[] {
  const lines = markdown.split("\n");
  const blocks: CodeBlock[] = [];
  for (let index = 0; index < lines.length; index++) {
    const open = OPEN.exec(lines[index]!);
    if (!open) continue;
    const [, indent, fence, info] = open;
    // A backtick fence's info string cannot hold a backtick (that is inline code).
    if (fence![0] === "`" && info!.includes("`")) continue;
    const close = new RegExp(`^\\s*${fence![0] === "`" ? "`" : "~"}{${fence!.length},}\\s*$`);
    const content: string[] = [];
    let end = index + 1;
    for (; end < lines.length && !close.test(lines[end]!); end++) {
      const line = lines[end]!;
      const strip = Math.min(indent!.length, line.length - line.trimStart().length);
      content.push(line.slice(strip));
    }
    const [lang = "", ...attributes] = info!.trim().split(/\s+/);
    let previous = index - 1;
    while (previous >= 0 && lines[previous]!.trim() === "") previous--;
    const annotated = previous >= 0 ? ANNOTATION.exec(lines[previous]!) : null;
    blocks.push({
      page,
      line: index + 1,
      lang: lang.toLowerCase(),
      attributes: attributes.join(" "),
      text: content.length ? `${content.join("\n")}\n` : "",
      annotation: annotated ? parseAnnotation(annotated[1]!) : undefined,
      where: `${page}:${index + 1}`,
    });
    index = end;
  }
  return blocks;
}

/** `docs-test` annotations that are not right before a fence (a typo, or a block that moved away from its note). */
export function strayAnnotations(page: string, markdown: string): string[] {
  const lines = markdown.split("\n");
  const stray: string[] = [];
  lines.forEach((line, index) => {
    if (!ANNOTATION.test(line) && !/<!--\s*docs-test/.test(line)) return;
    let next = index + 1;
    while (next < lines.length && lines[next]!.trim() === "") next++;
    if (!ANNOTATION.test(line) || next >= lines.length || !OPEN.test(lines[next]!)) stray.push(`${page}:${index + 1}: ${line.trim()}`);
  });
  return stray;
}
