// Lit styles components with constructable stylesheets (allowed by our CSP). Where a browser lacks
// them, Lit falls back to <style> elements and stamps them with window.litNonce: give it ours.
// Imported first so it runs before any component is defined.
const nonce = (document.currentScript as HTMLScriptElement | null)?.nonce;
if (nonce) (window as unknown as { litNonce?: string }).litNonce = nonce;
export {};
