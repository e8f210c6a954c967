/** Saves `blob` through the browser's downloads, as a link with `download` would (Chrome and Firefox alike). */
export function downloadFile(blob: Blob, name: string, doc: Document = document): void {
  const url = URL.createObjectURL(blob);
  const link = doc.createElement('a');
  link.href = url;
  link.download = name;
  link.rel = 'noopener';
  doc.body.append(link);
  link.click();
  link.remove();
  // Revoked later: the download reads the URL after this click returns.
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}
