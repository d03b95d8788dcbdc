// Text into HTML (element content and attribute values alike): the five characters that matter escaped, and the
// control characters a captured file may carry dropped, so no input byte becomes markup or script.
export function esc(s: string | number): string {
  return (
    String(s)
      // eslint-disable-next-line no-control-regex
      .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g, '')
      .replace(/&/g, '&amp;')
      .replace(/</g, '&lt;')
      .replace(/>/g, '&gt;')
      .replace(/"/g, '&quot;')
      .replace(/'/g, '&#39;')
  );
}
