// The Jupyter widget renderer typesets widget labels with MathJax 2's API,
// MathJax.Hub.Queue(["Typeset", MathJax.Hub, element]); the site loads MathJax 3,
// which has no Hub. This maps those calls onto MathJax 3's typesetPromise.
// Loaded (deferred) right after MathJax on every page; does nothing where MathJax is absent.
(function () {
  "use strict";
  const mathjax = window.MathJax;
  if (!mathjax || !mathjax.startup || mathjax.Hub) {
    return;
  }
  mathjax.Hub = {
    Queue(...jobs) {
      for (const job of jobs) {
        if (Array.isArray(job) && job[0] === "Typeset" && job[2] instanceof Element) {
          mathjax.startup.promise = mathjax.startup.promise.then(() => mathjax.typesetPromise([job[2]]));
        }
      }
      return mathjax.startup.promise;
    },
  };
})();
