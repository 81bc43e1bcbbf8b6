// A paper page's "Download" links: the BibTeX as the page shows it, and RIS and CSL-JSON made
// from the page's CSL-JSON item (data-csl, written by the generator). Made when clicked, so the
// page carries each citation once instead of three encoded copies. Listens on the document,
// so pages that Material's instant navigation brings in work without running this again.
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

  function citation(link) {
    const item = JSON.parse(link.closest("[data-csl]").dataset.csl);
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
    link.download = link.dataset.file;
  });
})();
