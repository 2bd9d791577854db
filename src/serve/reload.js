// tumen serve: live reload. Injected into pages by `tumen serve` only, never into
// the output of `tumen build`. Called with {base, build}: the site's base path and
// the build the page was served from.
(function (cfg) {
  "use strict";
  var scrollKey = "tumen:scroll:" + location.pathname;

  // After a reload, put the page back where the reader was.
  var saved = sessionStorage.getItem(scrollKey);
  if (saved) {
    sessionStorage.removeItem(scrollKey);
    try {
      var xy = JSON.parse(saved);
      var restore = function () { window.scrollTo(xy[0], xy[1]); };
      restore();
      window.addEventListener("load", restore);
    } catch (e) { /* a stale entry: ignore it */ }
  }

  function reload() {
    sessionStorage.setItem(scrollKey, JSON.stringify([window.scrollX, window.scrollY]));
    location.reload();
  }

  function overlay(text) {
    var o = document.getElementById("tumen-overlay");
    if (!o) {
      o = document.createElement("div");
      o.id = "tumen-overlay";
      o.setAttribute("role", "alert");
      var h = document.createElement("p");
      h.textContent = "tumen: the site has errors; showing the last good build";
      o.appendChild(h);
      o.appendChild(document.createElement("pre"));
      document.body.appendChild(o);
    }
    // textContent: the diagnostics are text, never markup.
    o.querySelector("pre").textContent = text;
  }

  // Swap stylesheets in place: the new one is loaded beside the old, which goes
  // once the new has loaded, so the page never shows unstyled.
  function swapCss(paths) {
    var links = document.querySelectorAll('link[rel~="stylesheet"]');
    Array.prototype.forEach.call(links, function (l) {
      var u = new URL(l.href, location.href);
      if (u.origin !== location.origin) return;
      if (paths.length && paths.indexOf(u.pathname) < 0) return;
      u.searchParams.set("tumen", String(Date.now()));
      var fresh = l.cloneNode();
      fresh.href = u.pathname + u.search + u.hash;
      fresh.addEventListener("load", function () { l.remove(); });
      fresh.addEventListener("error", function () { l.remove(); });
      l.after(fresh);
    });
  }

  var delay = 250;
  function connect() {
    var es = new EventSource(cfg.base + "__tumen/events");
    es.addEventListener("hello", function (e) {
      delay = 250;
      window.__tumenLive = true; // for tests: the page is listening
      // A build finished between serving this page and connecting, or the server
      // restarted: this page is stale.
      if (JSON.parse(e.data).build !== cfg.build) reload();
    });
    es.addEventListener("reload", function () { reload(); });
    es.addEventListener("css", function (e) {
      var d = JSON.parse(e.data);
      cfg.build = d.build;
      swapCss(d.paths);
    });
    es.addEventListener("failed", function (e) { overlay(JSON.parse(e.data).text); });
    es.onerror = function () {
      // The server went away (restarting?): try again, less and less often.
      es.close();
      setTimeout(connect, delay);
      delay = Math.min(delay * 2, 5000);
    };
  }
  connect();
})
