/* Post-Training Atlas search: lunr.js's query language and Lunr's ranking over the postings the
 * generator (generator/search.py) prepared in search/.
 *
 * A query fetches the manifest, the shards holding its words' postings and, for each result
 * shown, that paper's own small file; the topic and method table comes after the first result
 * (before it only when a filter is chosen). Nothing else that grows with the atlas is fetched.
 * Words are AND-ed: the papers with every word are the results; when no paper has them all, the
 * papers with any of them are, most words first, and the status line says so. Within that, the
 * order is lunr.js's score on one whole index (see score()). Everything contributed (titles,
 * authors, abstracts) reaches the page as text nodes, never as HTML. Errors are caught and shown
 * as a message: the reader's console stays clean.
 */
(() => {
  "use strict";

  const config = JSON.parse(document.getElementById("__config").textContent);
  const ROOT = new URL(config.base.replace(/\/?$/, "/"), location.href);  // absolute: survives instant navigation
  const PAGE_SIZE = 20;
  const FACETS = ["topic", "method", "year", "code"];
  const CODE_NAMES = new Map([["yes", "Has code"]]);  // the code facet's one value
  const MOST_GROUPS = 31;  // words matched as a bit each in a Uint32Array; more are ranked, not required
  const EXPORT_REQUESTS = 16;  // paper files fetched at once while exporting
  const cache = new Map();  // URL -> Promise of parsed JSON or bytes
  let lunrLoading = null;

  // ---------- loading ----------

  function fetched(path, read) {
    const url = new URL(path, ROOT).href;
    if (!cache.has(url)) {
      cache.set(url, fetch(url).then((response) => {
        if (!response.ok) throw new Error(`${path}: HTTP ${response.status}`);
        return read(response);
      }));
    }
    return cache.get(url);
  }

  const fetchJSON = (path) => fetched(path, (response) => response.json());

  /* A .bin file: gzip, unpacked here (hosts serve it as it is), then a little-endian header length,
   * a JSON header and a body of bytes (the layout is described in generator/search.py). */
  const fetchPacked = (path) => fetched(path, async (response) => {
    const bytes = new Uint8Array(await new Response(response.body.pipeThrough(new DecompressionStream("gzip"))).arrayBuffer());
    const length = new DataView(bytes.buffer).getUint32(0, true);
    return { header: JSON.parse(new TextDecoder().decode(bytes.subarray(4, 4 + length))), body: bytes.subarray(4 + length) };
  });

  function loadLunr() {  // lunr.js (from the mkdocs package) only when someone searches
    if (window.lunr) return Promise.resolve();
    lunrLoading = lunrLoading || new Promise((resolve, reject) => {
      const script = document.createElement("script");
      script.src = new URL("assets/javascripts/lunr.js", ROOT).href;
      script.onload = resolve;
      script.onerror = () => reject(new Error("lunr.js did not load"));
      document.head.appendChild(script);
    });
    return lunrLoading;
  }

  /* Ascending numbers stored as varint gaps (seven bits a byte, high bit: more bytes follow). */
  function readGaps(body, offset, count) {
    const numbers = new Int32Array(count);
    let at = offset, previous = 0;
    for (let i = 0; i < count; i++) {
      let value = 0, shift = 0, byte;
      do {
        byte = body[at++];
        value += (byte & 0x7f) * 2 ** shift;
        shift += 7;
      } while (byte & 0x80);
      previous += value;
      numbers[i] = previous;
    }
    return { numbers, end: at };
  }

  const shards = new Map();  // shard number -> Promise of { terms: Map(term -> field entries), sorted terms, body }
  function loadShard(number) {
    if (!shards.has(number)) {
      shards.set(number, fetchPacked(`search/shard-${String(number).padStart(4, "0")}.bin`).then(({ header, body }) =>
        ({ terms: new Map(header), list: header.map(([term]) => term), body, tokenSet: null, postings: new Map() })));
    }
    return shards.get(number);
  }

  /* A term's papers and weights in one field (by number), or null; decoded once. */
  function postings(shard, term, field) {
    const key = `${field} ${term}`;
    if (!shard.postings.has(key)) {
      const entry = shard.terms.get(term).find(([f]) => f === field);
      let found = null;
      if (entry) {
        const [, count, low, high, offset] = entry;
        const { numbers, end } = readGaps(shard.body, offset, count);
        const weights = new Float64Array(count);
        const step = (high - low) / 255;
        for (let i = 0; i < count; i++) weights[i] = low + shard.body[end + i] * step;
        found = { numbers, weights };
      }
      shard.postings.set(key, found);
    }
    return shard.postings.get(key);
  }

  /* The papers' own files (search/papers/NNN/N.json): what a result shows and an export needs. */
  function loadPaper(manifest, ref) {
    return fetchJSON(`search/papers/${String(Math.floor(ref / manifest.papers_per_folder)).padStart(3, "0")}/${ref}.json`);
  }

  /* Topics and methods of every paper, from search/facets.bin: for each paper, where its topic
   * (method) numbers begin in one flat array, as a compressed sparse row table; and whether it
   * has code. Made once. */
  let facetTable = null;
  function loadFacets(manifest) {
    facetTable = facetTable || fetchPacked("search/facets.bin").then(({ header, body }) => {
      const table = (from, to) => {
        const lists = header.slice(from, to).map(([count, offset]) => readGaps(body, offset, count).numbers);
        const starts = new Int32Array(manifest.papers + 1);
        lists.forEach((numbers) => numbers.forEach((ref) => { starts[ref + 1] += 1; }));
        for (let ref = 0; ref < manifest.papers; ref++) starts[ref + 1] += starts[ref];
        const values = new Uint16Array(starts[manifest.papers]);
        const filled = starts.slice(0, manifest.papers);
        lists.forEach((numbers, value) => numbers.forEach((ref) => { values[filled[ref]++] = value; }));
        return (ref) => values.subarray(starts[ref], starts[ref + 1]);
      };
      const topics = manifest.topics.length, methods = manifest.methods.length;
      const hasCode = new Uint8Array(manifest.papers);
      const [count, offset] = header[topics + methods] || [0, 0];
      for (const ref of readGaps(body, offset, count).numbers) hasCode[ref] = 1;
      return { topicsOf: table(0, topics), methodsOf: table(topics, topics + methods), hasCode };
    });
    return facetTable;
  }

  /* The year of each paper, by number, from the manifest's ranges (papers are numbered newest first). */
  function yearsOf(manifest) {
    if (!manifest.yearOf) {
      manifest.yearOf = new Array(manifest.papers);
      for (const [year, first, end] of manifest.years) manifest.yearOf.fill(year, first, end);
    }
    return manifest.yearOf;
  }

  // ---------- queries ----------

  /* The query as lunr clauses, in groups: a group is one thing the reader typed (a word and
   * its prefix completion), with its presence. Lunr syntax works for those who know it; if it
   * does not parse, the words are searched plainly. */
  function parseQuery(text, fields) {
    let query = new lunr.Query(fields);
    try {
      new lunr.QueryParser(text, query).parse();
    } catch (error) {
      query = new lunr.Query(fields);
      const plain = text.replace(/[^\p{L}\p{N}\s-]+/gu, " ").replace(/(^|\s)-+/g, " ").trim();
      try {
        if (plain) new lunr.QueryParser(plain, query).parse();
      } catch (again) {
        return [];
      }
    }
    const groups = [];
    const last = query.clauses[query.clauses.length - 1];
    for (const clause of query.clauses) {
      const typed = clause.term;
      const wild = typed.includes("*") || clause.editDistance > 0;  // matched as typed, not stemmed
      const term = wild ? typed : lunr.trimmer(new lunr.Token(typed)).toString();  // as the index was made
      if (!term || (!wild && !lunr.stopWordFilter(new lunr.Token(term)))) continue;
      // Clauses in the form lunr.Query#clause leaves them: a wildcard is a "*" in the term, and
      // editDistance is there only when asked for (lunr reads its mere presence as fuzzy).
      const base = { fields: clause.fields, boost: clause.boost, usePipeline: !wild, wildcard: lunr.Query.wildcard.NONE,
        presence: lunr.Query.presence.OPTIONAL, ...(clause.editDistance > 0 ? { editDistance: clause.editDistance } : {}) };
      const clauses = [{ ...base, term }];
      if (clause === last && !wild && clause.presence !== lunr.Query.presence.PROHIBITED && term.length >= 3) {
        // The word being typed ("distil", "rewar") also finds longer words, weighted lower.
        clauses.push({ ...base, term: `${term}*`, usePipeline: false, boost: base.boost / 2 });
      }
      groups.push({ presence: clause.presence, clauses, stem: wild ? "" : stemOf(term) });
    }
    return groups;
  }

  function stemOf(word) {
    return lunr.stemmer(new lunr.Token(word)).toString();
  }

  /* The shard whose terms could include `term`: the last one starting at or before it. */
  function shardOf(term, starts) {
    let low = 0, high = starts.length - 1, found = -1;
    while (low <= high) {
      const middle = (low + high) >> 1;
      if (starts[middle] <= term) {
        found = middle;
        low = middle + 1;
      } else high = middle - 1;
    }
    return found;
  }

  /* The first position in a sorted list whose string is not below `text`. */
  function lowerBound(list, text) {
    let low = 0, high = list.length;
    while (low < high) {
      const middle = (low + high) >> 1;
      if (list[middle] < text) low = middle + 1;
      else high = middle;
    }
    return low;
  }

  /* What a clause asks for: an exact term (through the stemmer, as lunr's search pipeline does),
   * a prefix (a wildcard not at the start), or anything (a leading wildcard, edit distance: the
   * whole term list, search/terms.json, is read to find which terms). */
  function clauseTarget(clause) {
    if (clause.usePipeline && !(clause.editDistance > 0)) return { exact: stemOf(clause.term) };
    if (clause.editDistance > 0 || clause.term.startsWith("*")) return { any: true };
    return { prefix: clause.term.split("*")[0] };
  }

  /* The shards a query needs, as numbers. */
  async function shardsFor(groups, manifest) {
    const needed = new Set();
    for (const clause of groups.flatMap((group) => group.clauses)) {
      const target = clauseTarget(clause);
      if (target.any) {
        for (const term of await termsMatching(clause)) needed.add(shardOf(term, manifest.shards));
      } else {
        const first = target.exact ?? target.prefix;
        const last = target.exact ?? `${target.prefix}\uffff`;
        for (let n = Math.max(0, shardOf(first, manifest.shards)); n <= shardOf(last, manifest.shards); n++) needed.add(n);
      }
    }
    needed.delete(-1);
    return [...needed].sort((a, b) => a - b);
  }

  let allTerms = null;  // lunr.TokenSet of every term, for fuzzy and leading-wildcard clauses
  async function termsMatching(clause) {
    allTerms = allTerms || fetchJSON("search/terms.json").then((terms) => lunr.TokenSet.fromArray(terms));
    return (await allTerms).intersect(lunr.TokenSet.fromClause(clause)).toArray();
  }

  /* The index terms a clause reaches in one shard, expanded as lunr.Index#query expands them. */
  function expand(shard, clause) {
    const target = clauseTarget(clause);
    if (target.exact !== undefined) return shard.terms.has(target.exact) ? [target.exact] : [];
    if (target.prefix !== undefined && clause.term === `${target.prefix}*`) {  // a plain prefix: a run of the sorted terms
      const reached = [];
      for (let i = lowerBound(shard.list, target.prefix); i < shard.list.length && shard.list[i].startsWith(target.prefix); i++) {
        reached.push(shard.list[i]);
      }
      return reached;
    }
    shard.tokenSet = shard.tokenSet || lunr.TokenSet.fromArray(shard.list);
    return shard.tokenSet.intersect(lunr.TokenSet.fromClause(clause)).toArray();
  }

  /* Lunr's score and the words each paper has. lunr.Index#query scores a paper as the sum over
   * fields f of (q_f . v_f) / |q_f|: q_f is the query vector (each term a clause reaches in f,
   * with the boosts of all clauses reaching it added up, whether or not any paper has it in f)
   * and v_f the paper's weights. So every term contributes boost * weight / |q_f| for each paper
   * in its postings, and the postings are all that is needed; a browser test holds the scores to
   * lunr.js's on one whole index. A group (a word as typed) is a bit: the papers holding any
   * term of its clauses in their fields get it. */
  function score(loaded, groups, manifest) {
    const papers = manifest.papers;
    const scores = new Float64Array(papers);
    const holds = new Uint32Array(papers);  // bit g: the paper has group g
    const excluded = new Uint8Array(papers);
    const candidates = [];
    const reached = groups.map((group) => group.clauses.map((clause) =>
      loaded.flatMap((shard) => expand(shard, clause).map((term) => ({ shard, term })))));
    manifest.fields.forEach((field, f) => {
      const vector = new Map();  // term -> { shard, boost }
      groups.forEach((group, g) => {
        if (group.presence === lunr.Query.presence.PROHIBITED) return;
        group.clauses.forEach((clause, c) => {
          if (!clause.fields.includes(field)) return;
          for (const { shard, term } of reached[g][c]) {
            const known = vector.get(term);
            if (known) known.boost += clause.boost;
            else vector.set(term, { shard, boost: clause.boost });
          }
        });
      });
      let squared = 0;
      for (const { boost } of vector.values()) squared += boost * boost;
      const length = Math.sqrt(squared);
      for (const [term, { shard, boost }] of vector) {
        const found = postings(shard, term, f);
        if (!found) continue;
        const { numbers, weights } = found;
        const factor = boost / length;
        for (let i = 0; i < numbers.length; i++) scores[numbers[i]] += factor * weights[i];
      }
    });
    groups.forEach((group, g) => {
      const bit = g < MOST_GROUPS ? 2 ** g : 0;
      group.clauses.forEach((clause, c) => {
        for (const { shard, term } of reached[g][c]) {
          clause.fields.forEach((field) => {
            const found = postings(shard, term, manifest.fields.indexOf(field));
            if (!found) return;
            for (const paper of found.numbers) {
              if (group.presence === lunr.Query.presence.PROHIBITED) excluded[paper] = 1;
              else {
                if (!holds[paper]) candidates.push(paper);
                holds[paper] |= bit || 2 ** MOST_GROUPS;  // a bit all the same, to be a candidate
              }
            }
          });
        }
      });
    });
    return { scores, holds, excluded, candidates };
  }

  function bitsSet(value) {
    let count = 0;
    for (let rest = value; rest; rest >>>= 1) count += rest & 1;
    return count;
  }

  /* The papers of a query, best first: those with every word (+ and - applied); when there are
   * none, those with any of the words, most words first. */
  function rank({ scores, holds, excluded, candidates }, groups, papers) {
    let required = 0, optional = 0;
    groups.slice(0, MOST_GROUPS).forEach((group, g) => {
      if (group.presence === lunr.Query.presence.REQUIRED) required |= 2 ** g;
      else if (group.presence === lunr.Query.presence.OPTIONAL) optional |= 2 ** g;
    });
    required >>>= 0;
    optional >>>= 0;
    const every = (required | optional) >>> 0;
    if (!groups.some((group) => group.presence !== lunr.Query.presence.PROHIBITED)) {  // only exclusions: the rest, newest first
      const rest = [];
      for (let paper = 0; paper < papers; paper++) if (!excluded[paper]) rest.push(paper);
      return { refs: rest, anyWord: false };
    }
    const all = candidates.filter((paper) => !excluded[paper] && ((holds[paper] & every) >>> 0) === every);
    if (all.length || bitsSet(optional) < 2) return { refs: byScore(all, scores), anyWord: false };
    const some = candidates.filter((paper) => !excluded[paper] && ((holds[paper] & required) >>> 0) === required);
    const words = new Uint8Array(papers);
    for (const paper of some) words[paper] = bitsSet((holds[paper] & optional) >>> 0);
    return { refs: some.sort((a, b) => words[b] - words[a] || scores[b] - scores[a] || a - b), anyWord: some.length > 0 };
  }

  /* Papers best first (ties: newest first), sorted as numbers, natively: each paper's key is its
   * score, to five decimals and negated, times 2^21, plus its number (below 2^21, and the key
   * stays below 2^53 for scores up to 4,000). A comparison function is called millions of times
   * for the tens of thousands of papers a common word finds. */
  function byScore(papers, scores) {
    const SPAN = 2 ** 21;
    const keys = new Float64Array(papers.length);
    for (let i = 0; i < papers.length; i++) keys[i] = -Math.round(scores[papers[i]] * 1e5) * SPAN + papers[i];
    keys.sort();
    const sorted = new Array(keys.length);
    for (let i = 0; i < keys.length; i++) sorted[i] = ((keys[i] % SPAN) + SPAN) % SPAN;
    return sorted;
  }

  let knownManifest = null;

  /* Start fetching the shards a query will need before the debounce runs it (cached promises:
   * the search itself then finds them loading or loaded). */
  function prefetch(text) {
    if (!window.lunr || !knownManifest) return;
    try {
      const groups = parseQuery(text, knownManifest.fields);
      if (groups.some((group) => group.clauses.some((clause) => clauseTarget(clause).any))) return;  // not worth the term list
      shardsFor(groups, knownManifest).then((numbers) => numbers.forEach((n) => loadShard(n).catch(() => {})), () => {});
    } catch (error) {
      // the search itself will report what went wrong
    }
  }

  /* The papers matching `text` (by number), best first, with their scores; null for an empty query. */
  async function search(text, onProgress) {
    const manifest = knownManifest = await fetchJSON("search/manifest.json");
    if (!text.trim()) return { manifest, ranked: null, scores: null, groups: [], anyWord: false };
    await loadLunr();
    const groups = parseQuery(text, manifest.fields);
    if (!groups.length) return { manifest, ranked: [], scores: null, groups, anyWord: false };
    const needed = await shardsFor(groups, manifest);
    let done = 0;
    const loaded = await Promise.all(needed.map((number) => loadShard(number).then((shard) => {
      onProgress && onProgress(++done, needed.length);
      return shard;
    })));
    const found = score(loaded, groups, manifest);
    const { refs, anyWord } = rank(found, groups, manifest.papers);
    return { manifest, ranked: refs, scores: found.scores, groups, anyWord };
  }

  // ---------- export ----------

  /* The papers of a search as a file. BibTeX entries come made and escaped by the generator
   * (cite.py, as on each paper's page); CSV and JSON are built here from the papers' files,
   * fetched EXPORT_REQUESTS at a time, with progress. */
  async function exportRecords(manifest, refs, onProgress) {
    const papers = new Array(refs.length);
    let next = 0, done = 0;
    const worker = async () => {
      while (next < refs.length) {
        const at = next++;
        papers[at] = await loadPaper(manifest, refs[at]);
        onProgress(++done, refs.length);
      }
    };
    await Promise.all(Array.from({ length: Math.min(EXPORT_REQUESTS, refs.length) }, worker));
    const keys = new Set();
    return papers.map(([slug, title, , date, topics, methods, abstract, key, bibtex, authors, arxiv, code]) => {
      const unique = uniqueKey(key, keys);  // two papers may make the same key; BibTeX needs them apart
      return {
        key: unique, bibtex: unique === key ? bibtex : bibtex.replace(`{${key},`, `{${unique},`),
        title, authors, date: date || null,
        topics: topics.map((t) => manifest.topics[t][1]), methods: methods.map((m) => manifest.methods[m][1]),
        url: new URL(`papers/${slug}/`, ROOT).href, arxiv: arxiv || null, code: code || null, abstract,
      };
    });
  }

  function uniqueKey(key, taken) {
    let unique = key;
    // The second zhou2025q is zhou2025qb, then zhou2025qc, ... and zhou2025q27 past z.
    for (let n = 1; taken.has(unique); n++) unique = key + (n <= 25 ? String.fromCharCode(97 + n) : String(n + 1));
    taken.add(unique);
    return unique;
  }

  const CSV_COLUMNS = ["title", "authors", "date", "topics", "methods", "url", "arxiv", "code", "key", "abstract"];
  function csvField(value) {
    let text = Array.isArray(value) ? value.join("; ") : value == null ? "" : String(value);
    if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;  // a spreadsheet would run it as a formula
    return `"${text.replace(/"/g, '""')}"`;
  }

  // RFC 4180 CSV (every field quoted, CRLF); JSON without the BibTeX; RIS from each record's
  // CSL-JSON item, made as a paper page's own RIS download is (atlas-cite.js).
  const EXPORTS = {
    bib: { label: "BibTeX", type: "application/x-bibtex", text: (records) => records.map((r) => r.bibtex).join("\n\n") + "\n" },
    ris: { label: "RIS", type: "application/x-research-info-systems",
      text: (records) => records.map((r) => window.atlasCite.ris(window.atlasCite.recordCsl(r))).join("") },
    csv: { label: "CSV", type: "text/csv",
      text: (records) => [CSV_COLUMNS.join(","), ...records.map((r) => CSV_COLUMNS.map((c) => csvField(r[c])).join(","))].join("\r\n") + "\r\n" },
    json: { label: "JSON", type: "application/json",
      text: (records) => JSON.stringify(records.map(({ bibtex, ...rest }) => rest), null, 2) + "\n" },
  };

  window.atlasExports = { EXPORTS, download, uniqueKey, element, root: ROOT };  // the reading list exports with the same code (atlas-cite.js)

  function exportName(state) {
    const words = [state.q, ...FACETS.flatMap((facet) => state[facet])].join(" ").toLowerCase().match(/[a-z0-9]+/g);
    return `atlas-${words ? words.join("-").slice(0, 60).replace(/-$/, "") : "all-papers"}`;
  }

  function download(name, type, text) {
    const url = URL.createObjectURL(new Blob([text], { type: `${type};charset=utf-8` }));
    const link = element("a", { href: url, download: name, hidden: "" });
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10000);
  }

  // ---------- state in the URL ----------

  function readState() {
    const params = new URLSearchParams(location.search);
    const state = { q: params.get("q") || "", sort: params.get("sort") === "date" ? "date" : "relevance" };
    for (const facet of FACETS) state[facet] = params.getAll(facet);
    return state;
  }

  function stateURL(state) {
    const params = new URLSearchParams();
    if (state.q) params.set("q", state.q);
    for (const facet of FACETS) state[facet].forEach((value) => params.append(facet, value));
    if (state.sort === "date") params.set("sort", "date");
    const query = params.toString();
    return location.pathname + (query ? `?${query}` : "");
  }

  // ---------- the page ----------

  function element(tag, attributes = {}, ...children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attributes)) {
      if (name === "text") node.textContent = value;
      else if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
      else node.setAttribute(name, value);
    }
    node.append(...children.filter((child) => child !== null && child !== undefined));
    return node;
  }

  /* Text with the words that match the query marked, as DOM nodes (never HTML). */
  function highlighted(text, stems) {
    const fragment = document.createDocumentFragment();
    if (!stems.length) {
      fragment.append(text);
      return fragment;
    }
    let position = 0;
    for (const match of text.matchAll(/[\p{L}\p{N}]+/gu)) {
      const word = match[0].toLowerCase();
      if (stems.some((stem) => word.startsWith(stem) || stemOf(word) === stem)) {
        fragment.append(text.slice(position, match.index), element("mark", { text: match[0] }));
        position = match.index + match[0].length;
      }
    }
    fragment.append(text.slice(position));
    return fragment;
  }

  function snippet(text, stems, length = 240) {
    const lower = text.toLowerCase();
    const hits = stems.map((stem) => lower.search(new RegExp(`(^|[^\\p{L}\\p{N}])${escapeRegExp(stem)}`, "u"))).filter((i) => i >= 0);
    let start = hits.length ? Math.max(0, Math.min(...hits) - 80) : 0;
    if (start > 0) start = text.indexOf(" ", start) + 1 || start;  // begin at a word
    let cut = text.slice(start, start + length);
    if (start + length < text.length) cut = cut.slice(0, cut.lastIndexOf(" ") > 0 ? cut.lastIndexOf(" ") : cut.length);
    return (start > 0 ? "… " : "") + cut + (start + length < text.length ? " …" : "");
  }

  function escapeRegExp(text) {
    return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  }

  /* The reader's filters as numbers. Topics and methods narrow (a paper must have every one
   * chosen); years widen (any chosen). `facets` (loadFacets) is needed for topics and methods. */
  function filterOf(state, manifest, facets) {
    const numbers = (terms, slugs) => slugs.map((slug) => terms.findIndex(([known]) => known === slug));
    return { topics: numbers(manifest.topics, state.topic), methods: numbers(manifest.methods, state.method),
      years: new Set(state.year), code: state.code.length > 0, facets, yearOf: yearsOf(manifest) };
  }

  function matches(ref, filter, except) {
    const has = (values, wanted) => wanted.every((value) => values.includes(value));
    if (except !== "topic" && filter.topics.length && !has(filter.facets.topicsOf(ref), filter.topics)) return false;
    if (except !== "method" && filter.methods.length && !has(filter.facets.methodsOf(ref), filter.methods)) return false;
    if (except !== "year" && filter.years.size && !filter.years.has(filter.yearOf[ref])) return false;
    if (except !== "code" && filter.code && !filter.facets.hasCode[ref]) return false;
    return true;
  }

  function facetCounts(refs, filter, manifest) {
    const counts = { topic: new Map(), method: new Map(), year: new Map(), code: new Map() };
    const add = (facet, value) => counts[facet].set(value, (counts[facet].get(value) || 0) + 1);
    for (const ref of refs) {
      if (matches(ref, filter, "year")) add("year", filter.yearOf[ref]);
      if (filter.facets.hasCode[ref] && matches(ref, filter, "code")) add("code", "yes");
      if (!matches(ref, filter)) continue;
      for (const t of filter.facets.topicsOf(ref)) add("topic", manifest.topics[t][0]);
      for (const m of filter.facets.methodsOf(ref)) add("method", manifest.methods[m][0]);
    }
    return counts;
  }

  class SearchPage {
    constructor(root) {
      this.root = root;
      this.state = readState();
      this.shown = PAGE_SIZE;
      this.run = 0;
      this.build();
      this.update({ push: false });
      this.onPop = () => {
        this.state = readState();
        this.input.value = this.state.q;
        this.update({ push: false });
      };
      window.addEventListener("popstate", this.onPop);
    }

    build() {
      this.input = element("input", { type: "search", class: "atlas-search__input", placeholder: "Search titles, authors, methods, abstracts",
        "aria-label": "Search papers", autocomplete: "off", spellcheck: "false" });
      this.input.value = this.state.q;
      let timer = null;
      this.input.addEventListener("input", () => {
        this.root.classList.add("atlas-search--loading");  // from the first keystroke: results are stale
        prefetch(this.input.value);
        clearTimeout(timer);
        const header = document.querySelector(".atlas-header-search input");
        if (header && header !== document.activeElement) header.value = this.input.value;
        timer = setTimeout(() => {
          this.state.q = this.input.value;
          this.shown = PAGE_SIZE;
          this.update({ push: false });
        }, 150);
      });
      this.input.addEventListener("keydown", (event) => {
        if (event.key === "ArrowDown") {
          event.preventDefault();
          this.focusResult(0);
        }
      });
      this.sort = element("select", { class: "atlas-search__sort", "aria-label": "Sort results" },
        element("option", { value: "relevance", text: "Most relevant" }), element("option", { value: "date", text: "Newest first" }));
      this.sort.addEventListener("change", () => {
        this.state.sort = this.sort.value;
        this.update({ push: true });
      });
      this.status = element("p", { class: "atlas-search__status", role: "status", "aria-live": "polite" });
      // Filters open beside the results on wide screens, folded above them on phones.
      this.facets = element("div", { class: "atlas-facets__list" });
      this.facetsSummary = element("summary", { text: "Filters" });
      const wide = window.matchMedia("(min-width: 45em)").matches;
      const folder = element("details", { class: "atlas-facets", ...(wide ? { open: "" } : {}) }, this.facetsSummary, this.facets);
      this.exportMessage = element("span", { class: "atlas-export__message", role: "status" });
      this.exporter = element("div", { class: "atlas-export", hidden: "" }, element("span", { text: "Export these results: " }),
        ...Object.entries(EXPORTS).map(([format, { label }]) => element("button", { type: "button", class: "md-button atlas-export__button",
          "data-format": format, text: label, "aria-label": `Export these results as ${label}`, onclick: () => this.exportAs(format) })),
        this.exportMessage);
      this.results = element("ol", { class: "atlas-results" });
      this.results.addEventListener("keydown", (event) => this.onResultKey(event));
      this.more = element("button", { class: "md-button atlas-search__more", type: "button", text: "Show more", hidden: "" });
      this.more.addEventListener("click", () => {
        this.shown += PAGE_SIZE;
        this.update({ push: false });
      });
      this.root.replaceChildren(
        element("div", { class: "atlas-search__bar" }, this.input, this.sort),
        this.status,
        this.exporter,
        element("div", { class: "atlas-search__body" }, folder, element("div", { class: "atlas-search__main" }, this.results, this.more)),
      );
    }

    async update({ push }) {
      const run = ++this.run;
      const url = stateURL(this.state);
      if (url !== location.pathname + location.search) history[push ? "pushState" : "replaceState"](null, "", url);
      this.sort.value = this.state.sort;
      try {
        this.root.classList.add("atlas-search--loading");
        const found = await search(this.state.q, (done, total) => {
          if (run === this.run) this.status.textContent = `Loading the index… ${done} of ${total} files`;
        });
        const { manifest } = found;
        // The topic and method table is fetched before the results only when they are filtered by it.
        const facets = this.state.topic.length || this.state.method.length || this.state.code.length ? await loadFacets(manifest) : null;
        if (run !== this.run) return;  // a newer query has started
        const all = found.ranked === null ? Array.from({ length: manifest.papers }, (_, ref) => ref) : found.ranked;
        if (!await this.render(found, all, facets, run)) return;
        this.facets.setAttribute("aria-busy", "true");
        const table = await loadFacets(manifest);
        if (run !== this.run) return;
        this.renderFacets(facetCounts(all, filterOf(this.state, manifest, table), manifest), manifest);
        this.facets.removeAttribute("aria-busy");
      } catch (error) {
        if (run === this.run) this.status.textContent = `Search is unavailable: ${error.message}`;
      } finally {
        if (run === this.run) this.root.classList.remove("atlas-search--loading");
      }
    }

    /* The results shown, once their papers' files are in; false if a newer query came first. */
    async render({ manifest, ranked, groups, anyWord }, all, facets, run) {
      const filter = filterOf(this.state, manifest, facets);
      let kept = FACETS.some((facet) => this.state[facet].length) ? all.filter((ref) => matches(ref, filter)) : all;
      if (this.state.sort === "date" && ranked !== null) kept = Int32Array.from(kept).sort();  // numbered newest first
      const visible = Array.from(kept.slice(0, this.shown));
      const papers = await Promise.all(visible.map((ref) => loadPaper(manifest, ref)));
      if (run !== this.run) return false;
      this.exported = { manifest, refs: Array.from(kept) };
      this.exporter.hidden = !kept.length;
      this.exportMessage.textContent = "";
      const stems = groups.filter((g) => g.stem && g.presence !== lunr.Query.presence.PROHIBITED).map((g) => g.stem);
      this.results.replaceChildren(...visible.map((ref, i) => this.result(ref, papers[i], manifest, stems)));
      this.more.hidden = kept.length <= this.shown;
      const words = groups.filter((g) => g.presence === lunr.Query.presence.OPTIONAL).length;
      this.status.replaceChildren(this.summary(ranked, kept.length, manifest, { anyWord, words }));
      return true;
    }

    summary(ranked, count, manifest, { anyWord, words }) {
      const active = FACETS.some((facet) => this.state[facet].length);
      if (ranked === null && (count || !active)) {
        return document.createTextNode(active ? `${count} papers with these filters, newest first.`
          : `Type to search ${count} papers by title, author, method or abstract words. Lunr syntax works too: title:dpo, +grpo -ppo, distil*, reword~1. Press / to search from any page.`);
      }
      const papers = `${count} ${count === 1 ? "paper" : "papers"}`;
      if (count && anyWord) return document.createTextNode(`No paper has all these words. ${papers} found with some of them, most words first.`);
      if (count) return document.createTextNode(`${papers} found${words > 1 ? " with all these words" : ""}.`);
      const names = { topic: new Map(manifest.topics), method: new Map(manifest.methods), year: new Map(), code: CODE_NAMES };
      const hint = element("span", { text: active ? " Try removing a filter: " : " Try fewer or other words." });
      for (const facet of FACETS) {
        for (const value of this.state[facet]) {
          hint.append(element("button", { type: "button", class: "atlas-chip", text: `✕ ${names[facet].get(value) || value}`,
            onclick: () => this.toggle(facet, value) }), " ");
        }
      }
      const shown = this.state.q.length > 60 ? `${this.state.q.slice(0, 60)}…` : this.state.q;
      return element("span", {}, ranked === null ? "No paper has all these filters." : `No papers match “${shown}”.`, hint);
    }

    result(ref, paper, manifest, stems) {
      const [slug, title, authors, date, topics, methods, abstract, , , , , code] = paper;
      const chips = [...topics.map((t) => ["topics", manifest.topics[t]]), ...methods.map((m) => ["methods", manifest.methods[m]])]
        .map(([kind, [termSlug, name]]) => element("a", { class: `atlas-chip atlas-chip--${kind}`, href: new URL(`${kind}/${termSlug}/`, ROOT).href, text: name, tabindex: "-1" }));
      return element("li", { class: "atlas-result", "data-ref": String(ref), ...(paper[10] ? { "data-arxiv": paper[10] } : {}) },
        element("a", { class: "atlas-result__title", href: new URL(`papers/${slug}/`, ROOT).href }, highlighted(title, stems)),
        element("div", { class: "atlas-result__meta" }, highlighted(authors || "Authors unknown", stems), ` · ${date || "undated"}`,
          ...(code ? [" · ", element("a", { class: "atlas-code", href: code, text: "code", tabindex: "-1" })] : [])),
        element("div", { class: "atlas-chips" }, ...chips),
        element("p", { class: "atlas-result__snippet" }, highlighted(snippet(abstract, stems), stems)));
    }

    renderFacets(counts, manifest) {
      const names = {
        topic: new Map(manifest.topics), method: new Map(manifest.methods),
        year: new Map([...counts.year.keys()].map((year) => [year, year])), code: CODE_NAMES,
      };
      // A group with nothing to choose (no paper has code) is left out.
      const groups = FACETS.filter((facet) => facet !== "code" || counts.code.size || this.state.code.length).map((facet) => {
        const chosen = new Set(this.state[facet]);
        let values = [...new Set([...counts[facet].keys(), ...chosen])];
        values = facet === "year" ? values.sort().reverse() : values.sort((a, b) => (counts[facet].get(b) || 0) - (counts[facet].get(a) || 0) || a.localeCompare(b));
        const options = values.map((value) => element("li", {},
          element("label", {},
            element("input", { type: "checkbox", ...(chosen.has(value) ? { checked: "" } : {}), "data-facet": facet, value,
              onchange: () => this.toggle(facet, value) }),
            ` ${names[facet].get(value) || value} `,
            element("span", { class: "atlas-count", text: String(counts[facet].get(value) || 0) }))));
        return element("fieldset", { class: "atlas-facet" }, element("legend", { text: { topic: "Topic", method: "Method", year: "Year", code: "Code" }[facet] }),
          element("ul", {}, ...options));
      });
      const active = FACETS.some((facet) => this.state[facet].length);
      const clear = element("button", { type: "button", class: "atlas-facets__clear", text: "Clear filters", ...(active ? {} : { hidden: "" }),
        onclick: () => {
          FACETS.forEach((facet) => { this.state[facet] = []; });
          this.update({ push: true });
        } });
      this.facets.replaceChildren(clear, ...groups);
      const chosen = FACETS.reduce((sum, facet) => sum + this.state[facet].length, 0);
      this.facetsSummary.textContent = chosen ? `Filters (${chosen} chosen)` : "Filters";
    }

    async exportAs(format) {
      const { manifest, refs } = this.exported;
      const message = this.exportMessage;
      message.textContent = ` Preparing ${refs.length} ${refs.length === 1 ? "paper" : "papers"}…`;
      try {
        const records = await exportRecords(manifest, refs, (done, total) => {
          if (done % 50 === 0 || done === total) message.textContent = ` Fetching papers: ${done} of ${total}…`;
        });
        const text = EXPORTS[format].text(records);
        download(`${exportName(this.state)}.${format}`, EXPORTS[format].type, text);
        this.exportMessage.textContent = ` Exported ${refs.length}.`;
      } catch (error) {
        this.exportMessage.textContent = ` Export failed: ${error.message}`;
      }
    }

    toggle(facet, value) {
      const values = this.state[facet];
      this.state[facet] = values.includes(value) ? values.filter((v) => v !== value) : [...values, value];
      this.shown = PAGE_SIZE;
      this.update({ push: true });
    }

    focusResult(number) {
      const links = [...this.results.querySelectorAll(".atlas-result__title")];
      if (!links.length) return;
      links[Math.max(0, Math.min(number, links.length - 1))].focus();
    }

    onResultKey(event) {
      const links = [...this.results.querySelectorAll(".atlas-result__title")];
      const at = links.indexOf(document.activeElement);
      if (at < 0) return;
      if (event.key === "ArrowDown") {
        event.preventDefault();
        this.focusResult(at + 1);
      } else if (event.key === "ArrowUp") {
        event.preventDefault();
        if (at === 0) this.input.focus();
        else this.focusResult(at - 1);
      }
    }

    destroy() {
      window.removeEventListener("popstate", this.onPop);
      this.run += 1;
    }
  }

  // ---------- wiring: every page (Material's instant navigation swaps pages without reloading) ----------

  let page = null;
  function attach() {
    if (page) page.destroy();
    const root = document.querySelector("[data-atlas-search-page]");
    page = root ? new SearchPage(root) : null;
    const box = document.querySelector(".atlas-header-search input");
    if (box && page) {  // on the Search page the header box drives the page's own box
      box.value = page.state.q;
      box.addEventListener("input", () => {
        page.input.value = box.value;
        page.input.dispatchEvent(new Event("input"));
      });
      box.form.addEventListener("submit", (event) => event.preventDefault());
    }
  }

  document.addEventListener("keydown", (event) => {
    const target = event.target;
    const typing = target.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(target.tagName);
    if (event.key === "/" && !typing && !event.ctrlKey && !event.metaKey && !event.altKey) {
      event.preventDefault();
      const input = (page && page.input) || document.querySelector(".atlas-header-search input");
      if (input) input.focus();
    }
  });

  if (window.document$ && typeof window.document$.subscribe === "function") window.document$.subscribe(attach);
  else if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", attach);
  else attach();

  window.atlasSearch = { search, parseQuery };  // for the benchmark and tests
})();
