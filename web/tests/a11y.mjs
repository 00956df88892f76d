// Accessibility audit with axe-core (Deque's rules engine, from npm), injected into the page
// under test by playwright: `audit(page, label)` runs every rule axe enables by default (WCAG 2.x
// A and AA and best practices) on the whole document, prints the count of all violations by
// impact and each violation with up to three of its nodes, and returns the violations whose
// impact is "serious" or "critical" — the ones the tests fail on.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const source = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

export const BLOCKING = ['serious', 'critical'];

export async function audit(page, label) {
  // Evaluated, not added as a <script> element: the page's DOM (and a report's "no address"
  // check) stays as it was.
  await page.evaluate(source);
  const violations = await page.evaluate(async () => {
    const result = await window.axe.run(document, { resultTypes: ['violations'] });
    return result.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.length,
      targets: v.nodes.slice(0, 3).map((n) => n.target.join(' ')),
    }));
  });
  const byImpact = {};
  for (const v of violations) byImpact[v.impact] = (byImpact[v.impact] ?? 0) + 1;
  const impacts = Object.entries(byImpact).map(([k, n]) => `${n} ${k}`).join(', ');
  console.log(`axe (${label}): ${violations.length} violation(s)${impacts ? ` — ${impacts}` : ''}`);
  for (const v of violations) {
    console.log(`  [${v.impact}] ${v.id}: ${v.help} (${v.nodes} node(s): ${v.targets.join(' | ')})`);
  }
  return violations.filter((v) => BLOCKING.includes(v.impact));
}
