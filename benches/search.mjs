// Search speed and index size: loads a built site's search-index.json and the
// theme's search.js in Node (V8, the engine of Chromium) and times the queries a
// reader types, letter by letter.
//   node benches/search.mjs OUTPUT_DIR
import fs from "node:fs";
import vm from "node:vm";
import path from "node:path";

const out = process.argv[2];
const here = path.dirname(new URL(import.meta.url).pathname);
const raw = fs.readFileSync(path.join(out, "search-index.json"), "utf8");
const ctx = {};
vm.runInNewContext(fs.readFileSync(path.join(here, "../themes/default/static/search.js"), "utf8"), ctx);
const { query } = ctx.tumenSearch;

let t = performance.now();
const index = JSON.parse(raw);
const parse = performance.now() - t;
const typed = [];
for (const phrase of ["railway coal", "trade turnover 2013", "sanctions", "debt rouble", "pipeline forum border"]) {
  for (let i = 2; i <= phrase.length; i++) typed.push(phrase.slice(0, i));
}
const times = [];
let hits = 0;
for (let round = 0; round < 5; round++) {
  for (const q of typed) {
    t = performance.now();
    hits += query(index, q).length;
    times.push(performance.now() - t);
  }
}
times.sort((a, b) => a - b);
const pct = (p) => times[Math.min(times.length - 1, Math.floor(p * times.length))].toFixed(2);
const gz = (await import("node:zlib")).gzipSync(raw).length;
console.log(`${index.docs.length} documents, ${index.terms.length} terms; index ${(raw.length / 1024).toFixed(0)} KB (${(gz / 1024).toFixed(0)} KB gzipped), parsed in ${parse.toFixed(1)} ms`);
console.log(`${times.length} queries as typed: median ${pct(0.5)} ms, p95 ${pct(0.95)} ms, max ${pct(1)} ms (${hits} hits)`);
