// Added to every page of the hostile-input browser tests before the page's own scripts run:
// each Content-Security-Policy violation is reported to the test, which fails on any.
document.addEventListener("securitypolicyviolation", (event) => {
  const blocked = event.blockedURI || "inline code";
  window.__cafeCspViolation(`${event.violatedDirective} blocked ${blocked}: ${event.sample || "(no sample)"}`);
});
