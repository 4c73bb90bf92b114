// A stand-in for the Python Debugger extension (ms-python.debugpy), for the hand-over test only (the real
// one cannot be installed where the tests run). It has the real one's id and debug type, and does what
// the real one does with a configuration: runs `python -m debugpy.adapter` with the configuration's
// interpreter, and attaches to the subprocesses debugpy announces (debugpyAttach).
// eslint-disable-next-line @typescript-eslint/no-require-imports -- a plain CommonJS extension, no build step
const vscode = require('vscode');

function activate(context) {
  context.subscriptions.push(
    vscode.debug.registerDebugAdapterDescriptorFactory('debugpy', {
      createDebugAdapterDescriptor(session) {
        const c = session.configuration;
        if (c.request === 'attach' && c.connect) return new vscode.DebugAdapterServer(Number(c.connect.port), c.connect.host || '127.0.0.1');
        return new vscode.DebugAdapterExecutable(c.python || 'python3', ['-m', 'debugpy.adapter']);
      },
    }),
    vscode.debug.onDidReceiveDebugSessionCustomEvent((e) => {
      if (e.event !== 'debugpyAttach' || e.session.type !== 'debugpy') return;
      void vscode.debug.startDebugging(e.session.workspaceFolder, { ...e.body, type: 'debugpy', request: 'attach' }, {
        parentSession: e.session, lifecycleManagedByParent: true, consoleMode: vscode.DebugConsoleMode.MergeWithParent,
      });
    }),
  );
}

module.exports = { activate };
