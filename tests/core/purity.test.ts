import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const CORE = join(__dirname, '../../core');
const FORBIDDEN = [/\bBuffer\b/, /from ['"]node:/, /from ['"](fs|path|crypto|os)['"]/, /\bbrowser\./, /\bchrome\./, /\bwindow\./, /\bdocument\./, /from ['"]peerjs['"]/, /\bprocess\./, /Math\.random\(/, /Date\.now\(/];

describe('the core stays pure', () => {
  it.each(readdirSync(CORE).filter((f) => f.endsWith('.ts')))('%s uses no browser, Node, PeerJS, global clock or global randomness', (file) => {
    const source = readFileSync(join(CORE, file), 'utf8');
    for (const pattern of FORBIDDEN) expect(source, `${file} matches ${pattern}`).not.toMatch(pattern);
  });
});
