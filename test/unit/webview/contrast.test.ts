// Readable colours whatever the theme: WCAG contrast, lightening a dark orange on a dark editor, and the
// ink that reads on a coloured box.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { contrastRatio, inkOn, opaque, parseColor, readableOn } from '../../../webview/contrast';

describe('contrast', () => {
  it('parses the colour forms VS Code themes use', () => {
    assert.deepEqual(parseColor('#d18616'), [209, 134, 22]);
    assert.deepEqual(parseColor('#fff'), [255, 255, 255]);
    assert.deepEqual(parseColor('#1f1f1fcc'), [31, 31, 31]);
    assert.deepEqual(parseColor('rgba(93, 46, 16, 0.5)'), [93, 46, 16]);
    assert.equal(parseColor('var(--x)'), null);
  });

  it('has WCAG\'s ratios: 21 for black on white, 1 for a colour on itself', () => {
    assert.equal(Math.round(contrastRatio([0, 0, 0], [255, 255, 255]) * 100) / 100, 21);
    assert.equal(contrastRatio([93, 46, 16], [93, 46, 16]), 1);
  });

  it('lightens a dark orange on a dark editor just enough, and keeps one that already reads', () => {
    // The orange code-server's Dark Modern gave the Profile view (1.6:1 on #1f1f1f).
    const fixed = readableOn('#5d2e10', '#1f1f1f', 4.5);
    assert.notEqual(fixed, '#5d2e10');
    const ratio = contrastRatio(parseColor(fixed)!, [31, 31, 31]);
    assert.ok(ratio >= 4.5 && ratio < 6, `${fixed}: ${ratio}`);
    assert.equal(readableOn('#d18616', '#1f1f1f', 4.5), '#d18616');
    // On a light editor a pale colour darkens instead.
    const onLight = parseColor(readableOn('#ffd080', '#ffffff', 4.5))!;
    assert.ok(contrastRatio(onLight, [255, 255, 255]) >= 4.5 && onLight[0] < 255);
    assert.equal(readableOn('var(--x)', '#fff', 4.5), 'var(--x)');
  });

  it('takes a translucent theme colour opaque (VS Code\'s charts.orange is #EA5C0055)', () => {
    for (const translucent of ['#ea5c0055', 'rgba(234, 92, 0, 0.33)', 'rgb(234 92 0 / 33%)']) {
      assert.equal(readableOn(translucent, '#1f1f1f', 4.5), '#ea5c00', translucent);
      assert.equal(opaque(translucent), '#ea5c00');
    }
    assert.equal(opaque('#d18616'), '#d18616');
    // Opaque and still too dark: lightened as any other.
    assert.ok(contrastRatio(parseColor(readableOn('#5d2e1080', '#1f1f1f', 4.5))!, [31, 31, 31]) >= 4.5);
  });

  it('writes on a coloured box with the ink that reads better', () => {
    assert.equal(inkOn('#5d2e10', '#1f1f1f', '#cccccc'), '#cccccc');
    assert.equal(inkOn('#ffab40', '#1f1f1f', '#cccccc'), '#1f1f1f');
  });
});
