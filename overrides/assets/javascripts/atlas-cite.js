// Citations in the browser. A paper page's "Download" links: the BibTeX as the page shows it,
// and RIS and CSL-JSON made from the page's JSON-LD ScholarlyArticle (generator/metadata.py),
// which describes the paper once for search engines and for these files, made when clicked.
// And the reading list: a Save button on every paper page and paper card, the saved papers kept
// in this browser's localStorage (nothing leaves it), and the Saved page that lists and exports
// them with the search page's export code (atlas-search.js). Listens on the document, so pages
// that Material's instant navigation brings in work without running this again.
(() => {
  "use strict";
  const TYPES = {
    bib: "application/x-bibtex",
    ris: "application/x-research-info-systems",
    json: "application/vnd.citationstyles.csl+json",
  };

  // One RIS field a line, CRLF line ends; a value's own line breaks would end the field early.
  function ris(item) {
    const name = (author) => author.literal || `${author.family}, ${author.given}`;
    const date = (item.issued || {})["date-parts"];
    const fields = [["TY", item.number ? "UNPB" : "GEN"], ["ID", item.id], ["TI", item.title],
      ...(item.author || []).map((author) => ["AU", name(author)])];
    if (date) {
      const [year, month, day] = date[0];
      const pad = (number) => String(number).padStart(2, "0");
      fields.push(["PY", String(year)], ["DA", `${year}/${pad(month)}/${pad(day)}`]);
    }
    if (item.number) {
      fields.push(["PB", "arXiv"], ["M1", `arXiv:${item.number}`], ["DO", item.DOI], ["UR", item.URL]);
      if (item.note) fields.push(["N1", item.note]);
    }
    fields.push(["ER", ""]);
    return fields.map(([tag, value]) => `${tag}  - ${value.replace(/[\r\n]/g, " ")}`.trimEnd() + "\r\n").join("");
  }

  // "Jin Peng Zhou" is given "Jin Peng", family "Zhou"; a single name stays whole.
  function cslName(name) {
    const parts = name.split(/\s+/);
    return parts.length > 1 ? { family: parts.at(-1), given: parts.slice(0, -1).join(" ") } : { literal: name };
  }

  // The CSL-JSON item (Zotero, Pandoc, citeproc) of the page's ScholarlyArticle.
  function cslItem(article, key, category) {
    const item = { id: key, type: "article", title: article.headline };
    if (article.author) item.author = article.author.map((person) => cslName(person.name));
    if (article.datePublished) item.issued = { "date-parts": [article.datePublished.split("-").map(Number)] };
    const id = article.identifier;
    if (id) {
      const doi = (article.sameAs || []).find((url) => url.startsWith("https://doi.org/"));
      Object.assign(item, { publisher: "arXiv", number: id, DOI: doi ? doi.slice("https://doi.org/".length) : `10.48550/arXiv.${id}`,
        URL: `https://arxiv.org/abs/${id}`, archive: "arXiv", archive_location: id });
      if (category) item.note = `arXiv:${id} [${category}]`;
    }
    return item;
  }

  // The CSL-JSON item of an exported record (the search's and the reading list's records).
  function recordCsl(record) {
    const article = { headline: record.title, author: record.authors.map((name) => ({ name })),
      datePublished: record.date || undefined, identifier: record.arxiv || undefined };
    return cslItem(article, record.key, null);
  }

  window.atlasCite = { ris, recordCsl };

  function citation(link) {
    const downloads = link.closest("[data-key]");
    const article = JSON.parse(document.querySelector('script[type="application/ld+json"]').textContent);
    const item = cslItem(article, downloads.dataset.key, downloads.dataset.category);
    const format = link.dataset.cite;
    if (format === "bib") return document.querySelector(".atlas-bibtex code").textContent + "\n";
    return format === "ris" ? ris(item) : JSON.stringify([item]) + "\n";
  }

  document.addEventListener("click", (event) => {
    const link = event.target.closest && event.target.closest("a[data-cite]");
    if (!link) return;
    const format = link.dataset.cite;
    const blob = new Blob([citation(link)], { type: `${TYPES[format]};charset=utf-8` });
    if (link.href.startsWith("blob:")) URL.revokeObjectURL(link.href);
    link.href = URL.createObjectURL(blob);  // the click goes on to download it
    link.download = `${link.closest("[data-key]").dataset.key}.${format}`;
  });

  // ---------- the reading list ----------

  const ROOT = window.atlasExports.root;  // the site's root, as the search script worked it out
  const STORE = `atlas-saved:${ROOT.pathname}`;  // one list per atlas, whatever page it is read from
  const FETCHES = 8;

  // Saved entries as stored or imported: those whose slug can be a paper's, with a title and an arXiv id or null.
  function entriesOf(list) {
    return (Array.isArray(list) ? list : []).filter((entry) => entry && typeof entry.slug === "string" && /^[a-z0-9-]+$/.test(entry.slug))
      .map(({ slug, title, arxiv }) => ({ slug, title: typeof title === "string" ? title : slug, arxiv: typeof arxiv === "string" ? arxiv : null }));
  }

  function savedList() {
    try {
      return entriesOf(JSON.parse(localStorage.getItem(STORE) || "[]"));
    } catch (error) {
      return [];
    }
  }

  function savedSlugs() {
    return new Set(savedList().map((entry) => entry.slug));
  }

  function keep(list) {
    localStorage.setItem(STORE, JSON.stringify(list));
    document.dispatchEvent(new CustomEvent("atlas-saved"));
  }

  // slug -> { title, arxiv } of what a card or page shows, from its link to the paper's page.
  function paperOf(link) {
    const match = new URL(link.href, location.href).pathname.match(/\/papers\/([a-z0-9-]+)\/$/);
    return match && { slug: match[1], title: link.textContent.trim() };
  }

  function saveButton(paper, saved) {
    const button = document.createElement("button");
    button.type = "button";
    button.className = "atlas-save";
    Object.assign(button.dataset, { slug: paper.slug, title: paper.title, arxiv: paper.arxiv || "" });
    showSaved(button, saved);
    return button;
  }

  // `saved`: the slugs saved now (savedSlugs()), read once for all the buttons shown together.
  function showSaved(button, saved) {
    const isSaved = saved.has(button.dataset.slug);
    button.setAttribute("aria-pressed", String(isSaved));
    button.textContent = isSaved ? "Saved" : "Save";
    button.title = isSaved ? "Remove from your saved papers" : "Keep this paper in your saved papers (in this browser)";
  }

  function toggle(button) {
    const { slug, title, arxiv } = button.dataset;
    const list = savedList();
    keep(list.some((entry) => entry.slug === slug) ? list.filter((entry) => entry.slug !== slug)
      : [...list, { slug, title, arxiv: arxiv || null }]);
  }

  // A Save button under a paper page's title.
  function addPaperButton(saved) {
    const paper = document.querySelector("article.atlas-paper");
    const slug = location.pathname.match(/\/papers\/([a-z0-9-]+)\/$/);
    if (!paper || !slug || paper.querySelector(".atlas-save")) return;
    const article = document.querySelector('script[type="application/ld+json"]');
    const arxiv = article ? JSON.parse(article.textContent).identifier : null;
    const place = paper.querySelector(".atlas-paper__links") || paper.querySelector(".atlas-paper__byline");
    place.after(saveButton({ slug: slug[1], title: paper.querySelector("h1").textContent.trim(), arxiv }, saved));
  }

  // A Save button on every paper card and search result in `root` (or that `root` is) without one.
  const CARDS = "ul.atlas-list > li, li.atlas-result";
  function addCardButtons(root, saved) {
    for (const card of [...(root.matches(CARDS) ? [root] : []), ...root.querySelectorAll(CARDS)]) {
      const link = card.querySelector("a");
      const found = link && !card.querySelector(".atlas-save") && paperOf(link);
      if (!found) continue;
      const meta = card.querySelector(":scope > small, .atlas-result__meta");
      (meta || card).append(" ", saveButton({ ...found, arxiv: card.dataset.arxiv }, saved));
    }
  }

  function headerLink() {
    const header = document.querySelector(".md-header__inner");
    if (!header) return;
    let link = header.querySelector(".atlas-saved-link");
    if (!link) {
      link = Object.assign(document.createElement("a"), { className: "atlas-saved-link", href: new URL("saved/", ROOT).href });
      header.insertBefore(link, header.querySelector(".atlas-header-search"));
    }
    const count = savedList().length;
    link.textContent = count ? `Saved (${count})` : "Saved";
    link.setAttribute("aria-label", `Saved papers: ${count}`);
  }

  // ---------- the Saved page ----------

  // What exporting a saved paper needs, read from its page as the site now has it; null when
  // the paper is no longer in the atlas.
  async function readPaper(entry) {
    const url = new URL(`papers/${entry.slug}/`, ROOT).href;
    const response = await fetch(url);
    if (response.status === 404) return null;
    if (!response.ok) throw new Error(`${url} answered ${response.status}`);
    const page = new DOMParser().parseFromString(await response.text(), "text/html");
    const article = JSON.parse(page.querySelector('script[type="application/ld+json"]').textContent);
    const chips = (kind) => [...page.querySelectorAll(`.atlas-paper > .atlas-chips .atlas-chip--${kind}`)].map((chip) => chip.textContent);
    const code = [...page.querySelectorAll(".atlas-paper__links a")].find((link) => link.textContent === "Code");
    return {
      key: page.querySelector(".atlas-downloads").dataset.key, bibtex: page.querySelector(".atlas-bibtex code").textContent,
      title: article.headline, authors: (article.author || []).map((person) => person.name), date: article.datePublished || null,
      topics: chips("topics"), methods: chips("methods"), url, arxiv: article.identifier || null, code: code ? code.href : null,
      abstract: page.querySelector(".atlas-abstract").textContent.trim(),
    };
  }

  async function readAll(list) {
    const records = new Array(list.length);
    let next = 0;
    const worker = async () => {
      while (next < list.length) {
        const at = next++;
        records[at] = await readPaper(list[at]);
      }
    };
    await Promise.all(Array.from({ length: Math.min(FETCHES, list.length) }, worker));
    return records;
  }

  // DOM nodes as the search page makes them (atlas-search.js is loaded first, on every page).
  const node = (...args) => window.atlasExports.element(...args);

  class SavedPage {
    constructor(root) {
      this.root = root;
      this.status = node("p", { class: "atlas-saved__status", role: "status", "aria-live": "polite" });
      this.list = node("ul", { class: "atlas-list" });
      const { EXPORTS } = window.atlasExports;
      this.tools = node("div", { class: "atlas-export" }, node("span", { text: "Export: " }),
        ...Object.entries(EXPORTS).map(([format, { label }]) => node("button", { type: "button", class: "md-button atlas-export__button",
          text: label, "aria-label": `Export the saved papers as ${label}`, onclick: () => this.exportAs(format) })),
        node("button", { type: "button", class: "md-button", text: "Export the list", onclick: () => this.exportList() }),
        node("label", { class: "md-button atlas-saved__import" }, "Import a list",
          node("input", { type: "file", accept: ".json,application/json", hidden: "", onchange: (event) => this.importList(event.target) })),
        node("button", { type: "button", class: "md-button", text: "Clear all", onclick: () => keep([]) }));
      root.replaceChildren(this.status, this.tools, this.list);
      this.onChange = () => this.render();
      document.addEventListener("atlas-saved", this.onChange);
      this.render();
    }

    async render() {
      const list = savedList(), run = (this.run = (this.run || 0) + 1);
      this.tools.querySelectorAll(".atlas-export__button").forEach((button) => { button.disabled = !list.length; });
      if (!list.length) {
        this.records = [];
        this.list.replaceChildren();
        this.status.textContent = "No saved papers yet. Save papers from their pages, from lists or from search results.";
        return;
      }
      this.status.textContent = `Loading ${list.length} saved papers…`;
      const records = await readAll(list);
      if (run !== this.run) return;
      // A paper saved from a list is kept by slug; its page gives its arXiv id, kept from now on.
      if (list.some((entry, at) => records[at] && !entry.arxiv && records[at].arxiv)) {
        localStorage.setItem(STORE, JSON.stringify(list.map((entry, at) => ({ ...entry, arxiv: entry.arxiv || (records[at] && records[at].arxiv) || null }))));
      }
      this.records = records.filter(Boolean);
      this.list.replaceChildren(...list.map((entry, at) => this.card(entry, records[at])));
      const gone = records.length - this.records.length;
      this.status.textContent = `${list.length} saved ${list.length === 1 ? "paper" : "papers"}` +
        (gone ? `, ${gone} no longer in the atlas.` : ".") + " They are kept in this browser only.";
    }

    card(entry, record) {
      const remove = node("button", { type: "button", class: "atlas-save", "aria-pressed": "true", text: "Remove",
        "aria-label": `Remove ${entry.title || entry.slug} from your saved papers`,
        onclick: () => keep(savedList().filter((kept) => kept.slug !== entry.slug)) });
      if (!record) {
        return node("li", { class: "atlas-saved__removed" }, node("span", { text: entry.title || entry.slug }),
          node("small", { text: "No longer in the atlas" }), remove);
      }
      const byline = `${record.authors.slice(0, 4).join(", ")}${record.authors.length > 4 ? " et al." : ""} · ${record.date || "undated"}`;
      return node("li", {}, node("a", { href: record.url, text: record.title }), node("small", { text: byline }), remove);
    }

    exportAs(format) {
      const { EXPORTS, download, uniqueKey } = window.atlasExports;
      const keys = new Set();
      const records = this.records.map((record) => {
        const unique = uniqueKey(record.key, keys);
        return { ...record, key: unique, bibtex: record.bibtex.replace(`{${record.key},`, `{${unique},`) };
      });
      download(`atlas-saved.${format}`, EXPORTS[format].type, EXPORTS[format].text(records));
    }

    exportList() {
      const text = JSON.stringify({ atlas_saved: 1, papers: savedList() }, null, 2) + "\n";
      window.atlasExports.download("atlas-saved-list.json", "application/json", text);
    }

    async importList(input) {
      try {
        const given = JSON.parse(await input.files[0].text());
        const valid = entriesOf(given && given.papers);
        const list = savedList(), known = new Set(list.map((entry) => entry.slug));
        keep([...list, ...valid.filter((entry) => !known.has(entry.slug) && known.add(entry.slug))]);
        this.status.textContent += ` Imported ${valid.length}.`;
      } catch (error) {
        this.status.textContent = `That file is not a list of saved papers: ${error.message}`;
      } finally {
        input.value = "";
      }
    }

    destroy() {
      document.removeEventListener("atlas-saved", this.onChange);
      this.run = (this.run || 0) + 1;
    }
  }

  document.addEventListener("click", (event) => {
    const button = event.target.closest && event.target.closest("button.atlas-save[data-slug]");
    if (button) toggle(button);
  });
  document.addEventListener("atlas-saved", () => {
    const saved = savedSlugs();
    document.querySelectorAll("button.atlas-save[data-slug]").forEach((button) => showSaved(button, saved));
    headerLink();
  });
  window.addEventListener("storage", (event) => {  // another tab saved or removed a paper
    if (event.key === STORE) document.dispatchEvent(new CustomEvent("atlas-saved"));
  });

  let savedPage = null;
  function attach() {
    if (savedPage) savedPage.destroy();
    const root = document.querySelector("[data-atlas-saved-page]");
    savedPage = root ? new SavedPage(root) : null;
    const saved = savedSlugs();
    addPaperButton(saved);
    addCardButtons(document.body, saved);
    headerLink();
  }
  // Search results and "Show more" arrive after the page: they get their buttons as they come.
  new MutationObserver((changes) => {
    const added = changes.flatMap((change) => [...change.addedNodes]).filter((node) => node.nodeType === 1);
    if (!added.length) return;
    const saved = savedSlugs();
    added.forEach((node) => addCardButtons(node, saved));
  }).observe(document.body, { childList: true, subtree: true });
  if (window.document$ && typeof window.document$.subscribe === "function") window.document$.subscribe(attach);
  else attach();
})();
