// A paper page's "Download" links: the BibTeX as the page shows it, and RIS and CSL-JSON made
// from the page's JSON-LD ScholarlyArticle (generator/metadata.py), which describes the paper
// once for search engines and for these files. Made when clicked. Listens on the document, so
// pages that Material's instant navigation brings in work without running this again.
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
  function cslItem(article, downloads) {
    const item = { id: downloads.dataset.key, type: "article", title: article.headline };
    if (article.author) item.author = article.author.map((person) => cslName(person.name));
    if (article.datePublished) item.issued = { "date-parts": [article.datePublished.split("-").map(Number)] };
    const id = article.identifier;
    if (id) {
      const doi = (article.sameAs || []).find((url) => url.startsWith("https://doi.org/"));
      Object.assign(item, { publisher: "arXiv", number: id, DOI: doi ? doi.slice("https://doi.org/".length) : `10.48550/arXiv.${id}`,
        URL: `https://arxiv.org/abs/${id}`, archive: "arXiv", archive_location: id });
      if (downloads.dataset.category) item.note = `arXiv:${id} [${downloads.dataset.category}]`;
    }
    return item;
  }

  function citation(link) {
    const downloads = link.closest("[data-key]");
    const article = JSON.parse(document.querySelector('script[type="application/ld+json"]').textContent);
    const item = cslItem(article, downloads);
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
})();
