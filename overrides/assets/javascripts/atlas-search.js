/* Post-Training Atlas search: lunr.js over the prebuilt, term-sharded index in search/.
 *
 * The generator (generator/search.py) built one Lunr index and cut it by term into shards.
 * A query fetches only the shards holding its words, lunr.js loads them, and the scores are
 * added up across shards exactly as the whole index would have scored them (see merge()).
 * Everything contributed (titles, authors, abstracts) reaches the page as text nodes, never
 * as HTML. Errors are caught and shown as a message: the reader's console stays clean.
 */
(() => {
  "use strict";

  const config = JSON.parse(document.getElementById("__config").textContent);
  const ROOT = new URL(config.base.replace(/\/?$/, "/"), location.href);  // absolute: survives instant navigation
  const PAGE_SIZE = 20;
  const FACETS = ["topic", "method", "year"];
  const cache = new Map();  // URL -> Promise of parsed JSON
  let lunrLoading = null;

  // ---------- loading ----------

  function fetchJSON(path) {
    const url = new URL(path, ROOT).href;
    if (!cache.has(url)) {
      cache.set(url, fetch(url).then((response) => {
        if (!response.ok) throw new Error(`${path}: HTTP ${response.status}`);
        return response.json();
      }));
    }
    return cache.get(url);
  }

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

  const shardIndexes = new Map();  // shard number -> Promise of lunr.Index
  function loadShard(number) {
    if (!shardIndexes.has(number)) {
      const name = `search/index-${String(number).padStart(3, "0")}.json`;
      shardIndexes.set(number, fetchJSON(name).then((data) => lunr.Index.load(data)));
    }
    return shardIndexes.get(number);
  }

  /* Per-paper data kept in blocks of papers (search/abstracts-NNN.json, search/cite-NNN.json):
   * the blocks that hold these papers, as a Map from block number to its list. */
  function loadBlocks(kind, manifest, refs) {
    const files = [...new Set(refs.map((ref) => Math.floor(ref / manifest.abstracts_per_file)))];
    return Promise.all(files.map((file) =>
      fetchJSON(`search/${kind}-${String(file).padStart(3, "0")}.json`).then((texts) => [file, texts])))
      .then((parts) => new Map(parts));
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

  /* The shards a query needs: those whose term range can hold a clause's terms. */
  function shardsFor(groups, ranges) {
    const needed = new Set();
    for (const group of groups) {
      for (const clause of group.clauses) {
        const leading = clause.term.startsWith("*") || clause.editDistance > 0;
        const prefix = clause.usePipeline ? stemOf(clause.term) : clause.term.split("*")[0];
        const open = !clause.usePipeline;  // a prefix: every term from `prefix` to `prefix\uffff`
        ranges.forEach(([first, last], number) => {
          if (leading || (last >= prefix && first <= (open ? prefix + "\uffff" : prefix))) needed.add(number);
        });
      }
    }
    return [...needed].sort((a, b) => a - b);
  }

  /* The index terms a clause reaches in one shard: its word through the pipeline (the stemmer),
   * then expanded by the shard's token set (wildcards, edit distance), as lunr.Index#query does. */
  function expand(index, clause) {
    const words = clause.usePipeline ? index.pipeline.runString(clause.term, { fields: clause.fields }) : [clause.term];
    return words.flatMap((word) => index.tokenSet.intersect(lunr.TokenSet.fromClause({ ...clause, term: word })).toArray());
  }

  /* Documents holding any term of a group (for + and - presence), in one shard. */
  function groupDocuments(index, group, into) {
    for (const clause of group.clauses) {
      for (const term of expand(index, clause)) {
        const posting = index.invertedIndex[term];
        for (const field of clause.fields) Object.keys(posting[field] || {}).forEach((ref) => into.add(ref));
      }
    }
  }

  /* A document's weight for a term in one field: its field vector's element (lunr.Vector keeps
   * [term number, weight, ...] sorted by number). */
  function weight(vector, number) {
    const at = vector.positionForIndex(number);
    return vector.elements[at] === number ? vector.elements[at + 1] : 0;
  }

  /* Lunr's score, summed over the shards. lunr.Index#query scores a document as the sum over
   * fields f of (q_f . v_f) / |q_f|: q_f is the query vector (each term a clause reaches in f, by
   * the term's number in the index, with the boosts of all clauses reaching it added up) and v_f
   * the document's field vector. A shard holds its terms' postings and vector elements with
   * their numbers and weights in the whole index, so q_f is gathered from every shard and the
   * dot products are added up term by term: the whole index's scores. This is Index#query's
   * arithmetic without the match metadata it builds for every posting (four fifths of its
   * time at 10,000 papers), which nothing here uses; a browser test holds the two equal.
   * Returns the matching refs (+ and - applied) and every paper's score, by ref. */
  function merge(indexes, groups, { fields, papers }) {
    const clauses = groups.filter((g) => g.presence !== lunr.Query.presence.PROHIBITED).flatMap((g) => g.clauses);
    const totals = new Float64Array(papers);  // by ref: refs are the papers' numbers
    const seen = new Uint8Array(papers);
    const matched = [];  // refs with a posting, in the order found
    for (const field of fields) {
      const reached = new Map();  // term number -> { index, posting, boost }
      for (const index of indexes) {
        for (const clause of clauses.filter((c) => c.fields.includes(field))) {
          for (const term of expand(index, clause)) {
            const posting = index.invertedIndex[term];
            const known = reached.get(posting._index);
            if (known) known.boost += clause.boost;
            else reached.set(posting._index, { index, posting, boost: clause.boost });
          }
        }
      }
      // In ascending term number, as lunr.Vector keeps them: the sums round as lunr's do, so
      // papers that tie in the whole index tie here too.
      const terms = [...reached].sort((a, b) => a[0] - b[0]);
      let squared = 0;
      for (const [, { boost }] of terms) squared += boost * boost;
      const length = Math.sqrt(squared);
      const dots = new Float64Array(papers);
      const inField = [];  // papers with a posting in this field
      const isInField = new Uint8Array(papers);
      for (const [number, { index, posting, boost }] of terms) {
        const vectors = index.fieldVectors;
        const refs = Object.keys(posting[field]);
        for (let i = 0; i < refs.length; i++) {
          const paper = Number(refs[i]);
          if (!isInField[paper]) {
            isInField[paper] = 1;
            inField.push(paper);
          }
          dots[paper] += boost * weight(vectors[`${field}/${refs[i]}`], number);
        }
      }
      for (const paper of inField) {
        if (!seen[paper]) {
          seen[paper] = 1;
          matched.push(paper);
        }
        totals[paper] += dots[paper] / length;
      }
    }
    // Only exclusions ("-ppo"): every other paper matches, equally.
    let refs = clauses.length ? matched : [...totals.keys()];
    for (const group of groups) {  // + and - work on whole groups, across shards
      if (group.presence === lunr.Query.presence.OPTIONAL) continue;
      const holding = new Set();
      indexes.forEach((index) => groupDocuments(index, group, holding));
      const required = group.presence === lunr.Query.presence.REQUIRED;
      refs = refs.filter((ref) => holding.has(String(ref)) === required);
    }
    return { refs, totals };
  }

  /* The refs matching `text`, best first, with scores; null for an empty query. */
  let knownManifest = null;

  /* Start fetching the shards a query will need before the debounce runs it (cached promises:
   * the search itself then finds them loading or loaded). */
  function prefetch(text) {
    if (!window.lunr || !knownManifest) return;
    try {
      for (const number of shardsFor(parseQuery(text, knownManifest.fields), knownManifest.shards)) {
        loadShard(number).catch(() => {});  // handled here; the search reports a failure itself
      }
    } catch (error) {
      // the search itself will report what went wrong
    }
  }

  async function search(text, onProgress) {
    const manifest = knownManifest = await fetchJSON("search/manifest.json");
    if (!text.trim()) return { manifest, ranked: null, groups: [] };
    await loadLunr();
    const groups = parseQuery(text, manifest.fields);
    if (!groups.length) return { manifest, ranked: [], groups };
    const needed = shardsFor(groups, manifest.shards);
    let done = 0;
    const indexes = await Promise.all(needed.map((number) => loadShard(number).then((index) => {
      onProgress && onProgress(++done, needed.length);
      return index;
    })));
    const { refs, totals } = merge(indexes, groups, manifest);
    refs.sort((a, b) => totals[b] - totals[a] || a - b);
    return { manifest, ranked: refs.map((ref) => [ref, totals[ref]]), groups };
  }

  // ---------- export ----------

  /* The papers of a search as a file. BibTeX entries come made and escaped by the generator
   * (cite.py, as on each paper's page); CSV and JSON are built here from the cards, the
   * citation blocks (search/cite-NNN.json) and the abstracts, fetched for these papers only. */
  async function exportRecords(manifest, cards, refs) {
    const per = manifest.abstracts_per_file;
    const [citations, abstracts] = await Promise.all(["cite", "abstracts"].map((kind) => loadBlocks(kind, manifest, refs)));
    const keys = new Set();
    return refs.map((ref) => {
      const [slug, title, , date, topics, methods] = cards[ref];
      const [key, bibtex, authors, arxiv] = citations.get(Math.floor(ref / per))[ref % per];
      const unique = uniqueKey(key, keys);  // two papers may make the same key; BibTeX needs them apart
      return {
        key: unique, bibtex: unique === key ? bibtex : bibtex.replace(`{${key},`, `{${unique},`),
        title, authors, date: date || null,
        topics: topics.map((t) => manifest.topics[t][1]), methods: methods.map((m) => manifest.methods[m][1]),
        url: new URL(`papers/${slug}/`, ROOT).href, arxiv: arxiv || null,
        abstract: abstracts.get(Math.floor(ref / per))[ref % per],
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

  const CSV_COLUMNS = ["title", "authors", "date", "topics", "methods", "url", "arxiv", "key", "abstract"];
  function csvField(value) {
    let text = Array.isArray(value) ? value.join("; ") : value == null ? "" : String(value);
    if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;  // a spreadsheet would run it as a formula
    return `"${text.replace(/"/g, '""')}"`;
  }

  const EXPORTS = {  // RFC 4180 CSV (every field quoted, CRLF); JSON without the BibTeX
    bib: { label: "BibTeX", type: "application/x-bibtex", text: (records) => records.map((r) => r.bibtex).join("\n\n") + "\n" },
    csv: { label: "CSV", type: "text/csv",
      text: (records) => [CSV_COLUMNS.join(","), ...records.map((r) => CSV_COLUMNS.map((c) => csvField(r[c])).join(","))].join("\r\n") + "\r\n" },
    json: { label: "JSON", type: "application/json",
      text: (records) => JSON.stringify(records.map(({ bibtex, ...rest }) => rest), null, 2) + "\n" },
  };

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

  function yearOf(card) {
    return card[3] ? card[3].slice(0, 4) : "undated";
  }

  function matches(card, state, manifest, except) {
    const [, , , , topics, methods] = card;
    if (except !== "topic" && !state.topic.every((slug) => topics.some((t) => manifest.topics[t][0] === slug))) return false;
    if (except !== "method" && !state.method.every((slug) => methods.some((m) => manifest.methods[m][0] === slug))) return false;
    if (except !== "year" && state.year.length && !state.year.includes(yearOf(card))) return false;
    return true;
  }

  function facetCounts(cards, refs, state, manifest) {
    const counts = { topic: new Map(), method: new Map(), year: new Map() };
    for (const ref of refs) {
      const card = cards[ref];
      // Topics and methods narrow (a paper must have every one chosen); years widen (any chosen).
      if (matches(card, state, manifest, "year")) {
        const year = yearOf(card);
        counts.year.set(year, (counts.year.get(year) || 0) + 1);
      }
      if (!matches(card, state, manifest)) continue;
      card[4].forEach((t) => counts.topic.set(manifest.topics[t][0], (counts.topic.get(manifest.topics[t][0]) || 0) + 1));
      card[5].forEach((m) => counts.method.set(manifest.methods[m][0], (counts.method.get(manifest.methods[m][0]) || 0) + 1));
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
        const cards = await fetchJSON("search/papers.json");
        if (run !== this.run) return;  // a newer query has started
        await this.render(found, cards, run);
      } catch (error) {
        if (run === this.run) this.status.textContent = `Search is unavailable: ${error.message}`;
      } finally {
        if (run === this.run) this.root.classList.remove("atlas-search--loading");
      }
    }

    async render({ manifest, ranked, groups }, cards, run) {
      const all = ranked === null ? cards.map((_, ref) => [ref, 0]) : ranked;
      const refs = all.map(([ref]) => ref);
      let kept = all.filter(([ref]) => matches(cards[ref], this.state, manifest));
      if (this.state.sort === "date" || ranked === null) {
        kept = [...kept].sort((a, b) => (cards[b[0]][3] || "").localeCompare(cards[a[0]][3] || "") || a[0] - b[0]);
      }
      this.renderFacets(facetCounts(cards, refs, this.state, manifest), manifest);
      this.exported = { manifest, cards, refs: kept.map(([ref]) => ref) };
      this.exporter.hidden = !kept.length;
      this.exportMessage.textContent = "";
      const visible = kept.slice(0, this.shown);
      const stems = groups.filter((g) => g.stem && g.presence !== lunr.Query.presence.PROHIBITED).map((g) => g.stem);
      this.results.replaceChildren(...visible.map(([ref]) => this.result(ref, cards[ref], manifest, stems)));
      this.more.hidden = kept.length <= this.shown;
      this.status.replaceChildren(this.summary(ranked, kept.length, manifest));
      if (visible.length) {
        const abstracts = await loadBlocks("abstracts", manifest, visible.map(([ref]) => ref));
        if (run !== this.run) return;
        for (const item of this.results.children) {
          const ref = Number(item.dataset.ref);
          const text = abstracts.get(Math.floor(ref / manifest.abstracts_per_file))[ref % manifest.abstracts_per_file];
          item.querySelector(".atlas-result__snippet").replaceChildren(highlighted(snippet(text, stems), stems));
        }
      }
    }

    summary(ranked, count, manifest) {
      const active = FACETS.some((facet) => this.state[facet].length);
      if (ranked === null && (count || !active)) {
        return document.createTextNode(active ? `${count} papers with these filters, newest first.`
          : `Type to search ${count} papers by title, author, method or abstract words. Lunr syntax works too: title:dpo, +grpo -ppo, distil*, reword~1. Press / to search from any page.`);
      }
      if (count) return document.createTextNode(`${count} ${count === 1 ? "paper" : "papers"} found.`);
      const names = { topic: new Map(manifest.topics), method: new Map(manifest.methods), year: new Map() };
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

    result(ref, card, manifest, stems) {
      const [slug, title, authors, date, topics, methods] = card;
      const chips = [...topics.map((t) => ["topics", manifest.topics[t]]), ...methods.map((m) => ["methods", manifest.methods[m]])]
        .map(([kind, [termSlug, name]]) => element("a", { class: `atlas-chip atlas-chip--${kind}`, href: new URL(`${kind}/${termSlug}/`, ROOT).href, text: name, tabindex: "-1" }));
      return element("li", { class: "atlas-result", "data-ref": String(ref) },
        element("a", { class: "atlas-result__title", href: new URL(`papers/${slug}/`, ROOT).href }, highlighted(title, stems)),
        element("div", { class: "atlas-result__meta" }, highlighted(authors || "Authors unknown", stems), ` · ${date || "undated"}`),
        element("div", { class: "atlas-chips" }, ...chips),
        element("p", { class: "atlas-result__snippet" }, "…"));
    }

    renderFacets(counts, manifest) {
      const names = {
        topic: new Map(manifest.topics), method: new Map(manifest.methods),
        year: new Map([...counts.year.keys()].map((year) => [year, year])),
      };
      const groups = FACETS.map((facet) => {
        const chosen = new Set(this.state[facet]);
        let values = [...new Set([...counts[facet].keys(), ...chosen])];
        values = facet === "year" ? values.sort().reverse() : values.sort((a, b) => (counts[facet].get(b) || 0) - (counts[facet].get(a) || 0) || a.localeCompare(b));
        const options = values.map((value) => element("li", {},
          element("label", {},
            element("input", { type: "checkbox", ...(chosen.has(value) ? { checked: "" } : {}), "data-facet": facet, value,
              onchange: () => this.toggle(facet, value) }),
            ` ${names[facet].get(value) || value} `,
            element("span", { class: "atlas-count", text: String(counts[facet].get(value) || 0) }))));
        return element("fieldset", { class: "atlas-facet" }, element("legend", { text: { topic: "Topic", method: "Method", year: "Year" }[facet] }),
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
      const { manifest, cards, refs } = this.exported;
      this.exportMessage.textContent = ` Preparing ${refs.length} ${refs.length === 1 ? "paper" : "papers"}…`;
      try {
        const text = EXPORTS[format].text(await exportRecords(manifest, cards, refs));
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

  window.atlasSearch = { search, parseQuery, merge };  // for the benchmark and tests
})();
