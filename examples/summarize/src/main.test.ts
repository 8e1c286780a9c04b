import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const main = fileURLToPath(new URL('../dist/main.js', import.meta.url));

describe('summarize example', () => {
  it('prints the VGG-11 table with the published parameter count', () => {
    // torchvision's VGG-11 has 132,863,336 parameters; at 64×64 the flatten shrinks to 2×2×512,
    // so fc6 has 2048·4096 + 4096 instead of 25088·4096 + 4096 weights.
    const output = execFileSync(process.execPath, [main, 'vgg11', '64'], { encoding: 'utf8' });
    const expected = 132_863_336 - (25088 - 2048) * 4096;
    expect(output).toContain(`Trainable params:     ${expected.toLocaleString('en-US')}`);
    expect(output).toMatch(/One forward pass on the wasm backend: \d+ ms, 1000 logits, all finite: true/);
  });

  it('says what it expected when given a bad argument', () => {
    expect(() =>
      execFileSync(process.execPath, [main, 'vgg99'], { encoding: 'utf8', stdio: 'pipe' }),
    ).toThrow(/unknown variant "vgg99"; expected one of vgg11, vgg16/);
  });
});
