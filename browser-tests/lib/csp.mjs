// Content-Security-Policy violations, as Chromium reports them: a console error such as
// "Refused to execute inline script because it violates the following Content Security Policy
// directive: …". A blocked script or style often leaves the page looking fine, so every browser
// test that opens pages watches for these and fails on any.

/** Starts watching every page of `context`; answers the list the violations are added to. */
export function watchCsp(context) {
  const violations = [];
  const watch = (page) =>
    page.on('console', (message) => {
      if (/Content Security Policy/i.test(message.text())) {
        violations.push(`${page.url()}: ${message.text()}`);
      }
    });
  context.pages().forEach(watch);
  context.on('page', watch);
  return violations;
}
