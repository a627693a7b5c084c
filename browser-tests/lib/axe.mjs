// Accessibility as a gate: axe-core (vendored in ../vendor/axe-core) checks every page a browser
// test opens, once it has loaded, and the test fails on any violation of serious or critical
// impact: clerks and citizens who use a screen reader, the keyboard or large text must be able
// to do everything the others do.
import { readFileSync } from 'node:fs';

const AXE_SOURCE = readFileSync(new URL('../vendor/axe-core/axe.min.js', import.meta.url), 'utf8');
const GATED_IMPACTS = new Set(['serious', 'critical']);

// One axe run at a time per page (axe refuses a second while one is under way): the checks
// started when a page loads and those a test asks for wait for each other.
const runs = new WeakMap();

/**
 * The serious and critical axe violations of what `page` shows now, one line each: the page,
 * the rule, and the first elements that break it.
 */
export function accessibilityViolations(page) {
  const run = (runs.get(page) || Promise.resolve()).catch(() => {}).then(() => runAxe(page));
  runs.set(page, run);
  return run;
}

async function runAxe(page) {
  // Evaluated through the DevTools protocol, so the pages' Content-Security-Policy (which
  // allows no inline or injected script) does not apply to it.
  if (!(await page.evaluate(() => typeof window.axe === 'object'))) {
    await page.evaluate(AXE_SOURCE);
  }
  const result = await page.evaluate(() =>
    window.axe.run(document, { resultTypes: ['violations'], rules: { region: { enabled: false } } }));
  const path = new URL(page.url()).pathname;
  return result.violations
    .filter((v) => GATED_IMPACTS.has(v.impact))
    .map((v) => {
      const where = v.nodes.slice(0, 3).map((n) => `${n.target.join(' ')} (${n.failureSummary.replace(/\s+/g, ' ')})`);
      return `${path}: ${v.id} [${v.impact}] ${v.help}: ${where.join('; ')}`;
    });
}

/**
 * Checks every page of `context` each time it finishes loading. Answers `violations` (added to
 * as checks finish, without repeats) and `settled()`, which waits for the checks under way.
 * A page that navigates away while it is being checked is checked again at its next load.
 */
export function watchAccessibility(context) {
  const violations = [];
  const pending = new Set();
  const watch = (page) =>
    page.on('load', () => {
      const check = accessibilityViolations(page)
        .then((found) => found.forEach((v) => violations.includes(v) || violations.push(v)))
        // The page moved on or closed before axe finished: nothing to judge on that one.
        .catch(() => {})
        .finally(() => pending.delete(check));
      pending.add(check);
    });
  context.pages().forEach(watch);
  context.on('page', watch);
  return { violations, settled: () => Promise.all([...pending]) };
}
