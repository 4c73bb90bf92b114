// Jump to code: a stack frame from the UI (a timed-out worker's stack, a profile's frame) opens its file at
// the line. Frames come from the agent, so the path is checked before anything opens. A file outside the
// workspace opens read-only (readOnlyFiles.ts).
import { existsSync, statSync } from 'node:fs';
import { isAbsolute } from 'node:path';
import * as vscode from 'vscode';
import { log } from './log';
import { READ_ONLY_SCHEME } from './readOnlyFiles';

/** Opens `file` at 1-based `line`; false (and a message) when there is no such file here. */
export async function openStackFrame(file: string, line: number): Promise<boolean> {
  if (!isAbsolute(file) || !existsSync(file) || !statSync(file).isFile()) {
    log().warn(`Jump to code: ${file} is not a file on this machine`);
    void vscode.window.showWarningMessage(`Gunicorn Live: ${file} is not a file on this machine (was the server started elsewhere?)`);
    return false;
  }
  const onDisk = vscode.Uri.file(file);
  const uri = vscode.workspace.getWorkspaceFolder(onDisk) ? onDisk : onDisk.with({ scheme: READ_ONLY_SCHEME });
  const at = Math.max(0, Math.floor(line) - 1);
  const editor = await vscode.window.showTextDocument(uri, {
    selection: new vscode.Range(at, 0, at, 0),
    preview: true,
  });
  editor.revealRange(new vscode.Range(at, 0, at, 0), vscode.TextEditorRevealType.InCenterIfOutsideViewport);
  return true;
}
