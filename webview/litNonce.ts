// Lit styles components with constructable stylesheets (allowed by our CSP). Where a browser lacks
// them, Lit falls back to <style> elements and stamps them with window.litNonce: give it ours.
// Imported first so it runs before any component is defined. A module script has no currentScript:
// ours is the page's one nonced script (the property keeps the nonce the attribute hides).
const nonce = document.querySelector<HTMLScriptElement>('script[nonce]')?.nonce;
if (nonce) (window as unknown as { litNonce?: string }).litNonce = nonce;
export {};
