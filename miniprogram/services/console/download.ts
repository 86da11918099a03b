/** Saves a Blob as a file in the browser: an object URL behind a temporary <a download>. */
export function saveBlob(blob: Blob, filename: string): void {
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = filename;
  link.style.display = 'none';
  document.body.appendChild(link);
  link.click();
  link.remove();
  // the download has started from the URL; give the browser time before the Blob goes
  setTimeout(() => URL.revokeObjectURL(url), 30_000);
}
