// Stack frames as every view shows them: whose code a frame is (the app's, or Python's and installed
// packages', Gunicorn included), and its file:line — in VS Code a button that opens the file at the line
// (the host checks the path), in the browser, which cannot open files, the text alone.
import { h } from './dom';

export { isLibraryFile as isLibrary } from '../extension/protocol/constants';

/** Opens a frame's file in the editor; null where the host cannot (the browser). */
export type OpenFile = ((file: string, line: number) => void) | null;

export function frameLink(open: OpenFile, file: string, line: number): HTMLElement {
  const text = `${file}:${line}`;
  if (!open || !file) return h('code', { class: 'frame-path' }, text);
  return h('button', {
    type: 'button',
    class: 'frame-path frame-link',
    title: `Open ${file} at line ${line}`,
    'aria-label': `Open ${file} at line ${line}`,
    onclick: () => open(file, line),
  }, text);
}
