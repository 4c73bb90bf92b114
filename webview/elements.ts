// The @vscode-elements components the views use, loaded once the page is up: their code (Lit and all)
// evaluates in tasks of their own, one component at a time, and the buttons and picker already in the
// page upgrade in place when defined (properties set before that are kept by Lit).
export async function defineElements(): Promise<void> {
  // The time-window, pause and signal buttons first: they are most of what upgrades.
  await import('@vscode-elements/elements/dist/vscode-button/index.js');
  await import('@vscode-elements/elements/dist/vscode-option/index.js');
  await import('@vscode-elements/elements/dist/vscode-single-select/index.js');
}
