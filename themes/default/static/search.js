// Full-text search over search-index.json, in the browser: no server, no other host.
// The index lists terms in sorted order with their postings ([doc delta, score]…),
// so each query word is found by binary search and matched as a prefix.
(function (root) {
  "use strict";

  function words(q) {
    return q.toLowerCase().split(/[^\p{L}\p{N}]+/u).filter(function (w) { return w.length >= 2; });
  }

  function first(terms, t) {
    var lo = 0, hi = terms.length;
    while (lo < hi) {
      var mid = (lo + hi) >> 1;
      if (terms[mid] < t) lo = mid + 1; else hi = mid;
    }
    return lo;
  }

  // Documents holding every word (as a word or a word's beginning), best first:
  // [[doc, score]…], at most 30.
  function query(index, q) {
    var ws = words(q), total = null;
    if (!ws.length) return [];
    ws.forEach(function (w) {
      var scores = new Map();
      for (var i = first(index.terms, w); i < index.terms.length && index.terms[i].lastIndexOf(w, 0) === 0; i++) {
        var p = index.postings[i], doc = 0, weight = index.terms[i] === w ? 1 : 0.5;
        for (var k = 0; k < p.length; k += 2) {
          doc += p[k];
          scores.set(doc, (scores.get(doc) || 0) + p[k + 1] * weight);
        }
      }
      if (total === null) { total = scores; return; }
      total.forEach(function (s, d) {
        if (scores.has(d)) total.set(d, s + scores.get(d)); else total.delete(d);
      });
    });
    return Array.from(total.entries())
      .sort(function (a, b) { return b[1] - a[1] || a[0] - b[0]; })
      .slice(0, 30);
  }

  root.tumenSearch = { query: query, words: words };
  if (typeof document === "undefined") return;
  var input = document.getElementById("q");
  if (!input) return;
  var status = document.getElementById("search-status");
  var list = document.getElementById("search-results");
  var index = null;
  var pending = null;

  function load() {
    if (!pending) {
      pending = fetch(input.getAttribute("data-index"))
        .then(function (r) { return r.json(); })
        .then(function (j) { index = j; return j; });
    }
    return pending;
  }

  function show(q) {
    var hits = query(index, q);
    list.textContent = "";
    hits.forEach(function (h) {
      var d = index.docs[h[0]];
      var li = document.createElement("li");
      var a = document.createElement("a");
      a.href = d[1];
      a.textContent = d[0];
      var meta = document.createElement("span");
      meta.className = "meta";
      meta.textContent = (d[3] === "data" ? "Data" : "Brief") + (d[4] ? " · " + d[4] : "");
      var p = document.createElement("p");
      p.textContent = d[2];
      li.appendChild(a);
      li.appendChild(meta);
      li.appendChild(p);
      list.appendChild(li);
    });
    status.textContent = words(q).length === 0 ? "" :
      hits.length === 0 ? "No results for “" + q + "”." :
      hits.length + (hits.length === 30 ? "+" : "") + " result" + (hits.length === 1 ? "" : "s") + " for “" + q + "”.";
  }

  function run() {
    var q = input.value;
    load().then(function () { show(q); }, function () { status.textContent = "The search index could not be loaded."; });
  }

  input.addEventListener("input", run);
  input.addEventListener("focus", load, { once: true });
  var q = new URLSearchParams(location.search).get("q");
  if (q) { input.value = q; run(); }
})(typeof window !== "undefined" ? window : globalThis);
