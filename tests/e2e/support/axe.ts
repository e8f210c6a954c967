import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { ExtensionPage } from './extension-page';
import { inPage } from './in-page';

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** One axe-core rule that failed, with the elements it failed on. */
export interface AxeViolation {
  id: string;
  impact: string;
  help: string;
  helpUrl: string;
  /** One line per element: its selector and what axe says is wrong there. */
  nodes: string[];
}

/**
 * Runs axe-core (injected from node_modules, as an extension page loads no remote script) on the whole page and
 * returns the serious and critical violations. Evaluation over CDP / BiDi is not bound by the page's CSP.
 */
export async function seriousViolations(page: ExtensionPage): Promise<AxeViolation[]> {
  const loaded = await inPage(page, () => typeof (globalThis as { axe?: unknown }).axe === 'object');
  if (!loaded) await inPage(page, `${AXE_SOURCE}\n;true`);
  return inPage(page, async () => {
    interface Result {
      id: string;
      impact?: string | null;
      help: string;
      helpUrl: string;
      nodes: Array<{ target: unknown[]; failureSummary?: string }>;
    }
    const { axe } = globalThis as unknown as { axe: { run(context: Document, options: object): Promise<{ violations: Result[] }> } };
    const { violations } = await axe.run(document, { resultTypes: ['violations'] });
    return violations
      .filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
      .map((violation) => ({
        id: violation.id,
        impact: violation.impact ?? '',
        help: violation.help,
        helpUrl: violation.helpUrl,
        nodes: violation.nodes.map(
          (node) => `${node.target.map(String).join(' ')} — ${(node.failureSummary ?? '').replace(/\s+/g, ' ').trim()}`,
        ),
      }));
  });
}

/** Lines a failing test prints: rule, impact, what it asks, and every element it failed on. */
export function describeViolations(where: string, violations: AxeViolation[]): string[] {
  return violations.map(
    (violation) => `${where}: ${violation.id} (${violation.impact}) ${violation.help}\n    ${violation.nodes.join('\n    ')}`,
  );
}
