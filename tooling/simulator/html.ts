/** Escapes text for HTML content and double- or single-quoted attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}

export function htmlDocument(title: string, body: string, options: { lang?: string; style?: string } = {}): string {
  return `<!DOCTYPE html>
<html lang="${options.lang ?? 'en'}">
<head>
<meta charset="utf-8">
<title>${escapeHtml(title)}</title>
<style>
body { margin: 0; font-family: Arial, Helvetica, sans-serif; font-size: 14px; color: #222; }
#content { padding: 8px 24px; }
${options.style ?? ''}
</style>
</head>
<body>
${body}
</body>
</html>
`;
}
