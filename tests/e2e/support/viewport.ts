/** Pages open as tabs; size them like the surface a person sees them in, so screenshots look right. */
export function viewportFor(file: string): { width: number; height: number } {
  if (file === 'popup.html') return { width: 400, height: 600 };
  if (file === 'sidepanel.html') return { width: 400, height: 800 };
  return { width: 1024, height: 768 };
}
