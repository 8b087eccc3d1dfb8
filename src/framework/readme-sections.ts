/** Generated sections in Markdown files, between `<!-- name -->` and `<!-- /name -->`. */

/** The text between the markers, or undefined when the markers are missing. */
export function readGeneratedSection(markdown: string, name: string): string | undefined {
  const match = new RegExp(`<!-- ${name} -->\\n([\\s\\S]*?)\\n<!-- /${name} -->`).exec(markdown);
  return match?.[1];
}

/** The markdown with the section's content replaced; throws when the markers are missing. */
export function replaceGeneratedSection(markdown: string, name: string, content: string): string {
  if (readGeneratedSection(markdown, name) === undefined) throw new Error(`no <!-- ${name} --> section`);
  return markdown.replace(new RegExp(`(<!-- ${name} -->\\n)[\\s\\S]*?(\\n<!-- /${name} -->)`), (_all, open: string, close: string) => `${open}${content}${close}`);
}
