// Saves text made in the page (a JSON document, a CSV template) as a file, through a temporary link.
export function downloadText(name: string, content: string, type: string): void {
  const url = URL.createObjectURL(new Blob([content], { type }));
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  document.body.append(link);
  link.click();
  link.remove();
  // The browser has taken the file by the next tick.
  setTimeout(() => URL.revokeObjectURL(url), 0);
}
