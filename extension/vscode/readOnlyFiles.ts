// Files outside the workspace (the standard library, site-packages) opened from a stack or a profile: a
// read-only file system over the real files, so a look at Gunicorn's code is not a place to type by accident.
import { readFile, stat } from 'node:fs/promises';
import * as vscode from 'vscode';

/** `gunicorn-live-frame:/abs/path.py` is /abs/path.py, read-only. */
export const READ_ONLY_SCHEME = 'gunicorn-live-frame';

class ReadOnlyFiles implements vscode.FileSystemProvider {
  private readonly changed = new vscode.EventEmitter<vscode.FileChangeEvent[]>();
  readonly onDidChangeFile = this.changed.event;

  watch(): vscode.Disposable {
    return new vscode.Disposable(() => undefined);
  }

  async stat(uri: vscode.Uri): Promise<vscode.FileStat> {
    const s = await stat(uri.path).catch(() => {
      throw vscode.FileSystemError.FileNotFound(uri);
    });
    return {
      type: s.isDirectory() ? vscode.FileType.Directory : vscode.FileType.File,
      ctime: s.ctimeMs, mtime: s.mtimeMs, size: s.size,
      permissions: vscode.FilePermission.Readonly,
    };
  }

  async readFile(uri: vscode.Uri): Promise<Uint8Array> {
    return readFile(uri.path).catch(() => {
      throw vscode.FileSystemError.FileNotFound(uri);
    });
  }

  readDirectory(): [string, vscode.FileType][] {
    return [];
  }

  createDirectory(uri: vscode.Uri): void {
    throw vscode.FileSystemError.NoPermissions(uri);
  }

  writeFile(uri: vscode.Uri): void {
    throw vscode.FileSystemError.NoPermissions(uri);
  }

  delete(uri: vscode.Uri): void {
    throw vscode.FileSystemError.NoPermissions(uri);
  }

  rename(uri: vscode.Uri): void {
    throw vscode.FileSystemError.NoPermissions(uri);
  }
}

export function registerReadOnlyFiles(): vscode.Disposable {
  return vscode.workspace.registerFileSystemProvider(READ_ONLY_SCHEME, new ReadOnlyFiles(), { isCaseSensitive: true, isReadonly: true });
}
