"""Evaluate: measure the method tags against methods a person labelled, and show every error.

The labels (a YAML file, `tests/data/method_labels.yml` for the shipped papers) give each paper's
central and mentioned methods with the words that show them. The matcher reads only the title and
abstract here (no front matter), so what is measured is the taxonomy itself:

- precision: the central tags that a person labelled central or mentioned, of all central tags;
- strict precision: the central tags labelled central;
- recall: the methods labelled central that are tagged central.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from . import files, store
from .classify import Assignment, Classification, classify, find_terms
from .model import Paper, Problem, error
from .taxonomy import Taxonomy, load_taxonomy

MAX_LABELS_BYTES = 5_000_000
STRENGTHS = ("central", "mentioned")


@dataclass(frozen=True)
class Labels:
    """One paper's methods as a person read them: slug -> the words that show it."""

    central: dict[str, str]
    mentioned: dict[str, str]
    line: int | None = None  # where the paper's labels start in their file
    paper: Paper | None = None  # a paper the file itself holds (title and abstract), not one of content/


@dataclass(frozen=True)
class Finding:
    """One tag that disagrees with the labels."""

    paper: str
    method: str
    found: Assignment | None  # what the matcher made of the method, if it found it
    label: str  # "central", "mentioned" or "" (not labelled)
    words: str  # the label's evidence


@dataclass
class Evaluation:
    papers: int = 0
    tags: int = 0  # central tags
    tags_labelled: int = 0  # ... labelled central or mentioned
    tags_central: int = 0  # ... labelled central
    central: int = 0  # central labels
    mentioned_tags: int = 0  # mentioned tags
    mentioned_labelled: int = 0  # ... labelled central or mentioned
    per_method: dict[str, Counter] = field(default_factory=dict)  # slug -> tags, right, central, found
    false_positives: list[Finding] = field(default_factory=list)  # tagged central, labelled neither
    demoted: list[Finding] = field(default_factory=list)  # labelled central, found only as mentioned
    promoted: list[Finding] = field(default_factory=list)  # tagged central, labelled mentioned
    misses: list[Finding] = field(default_factory=list)  # labelled central, not found at all
    unlabelled: list[str] = field(default_factory=list)  # papers the labels do not cover

    @property
    def precision(self) -> float:
        return self.tags_labelled / self.tags if self.tags else 1.0

    @property
    def strict_precision(self) -> float:
        return self.tags_central / self.tags if self.tags else 1.0

    @property
    def recall(self) -> float:
        return self.tags_central / self.central if self.central else 1.0


def classify_papers(content: Path, slugs: list[str] | None = None) -> tuple[list[tuple[Paper, Classification]], list[Problem]]:
    """Each paper in `content` (or those named by slug) with its classification, front matter
    included, as the site will file it; or the problems that stop it."""
    taxonomy, papers, problems = _load(content)
    if slugs:
        known = {paper.slug for paper in papers}
        problems += [error(store.papers_dir(content) / f"{slug}.md", None, "no such paper") for slug in slugs if slug not in known]
        papers = [paper for paper in papers if paper.slug in set(slugs)]
    if taxonomy is None or any(problem.is_error for problem in problems):
        return [], problems
    return [(paper, classify(paper, taxonomy)) for paper in papers], problems


def evaluate_labels(content: Path, labels_path: Path) -> tuple[Evaluation | None, list[Problem]]:
    """The methods of the papers in `content` measured against the labels in `labels_path`."""
    taxonomy, papers, problems = _load(content)
    if taxonomy is None:
        return None, problems
    labels, found = load_labels(labels_path, taxonomy)
    held = [label.paper for label in labels.values() if label.paper is not None]
    if held and len(held) == len(labels):
        papers = held  # a file of its own papers measures those alone
    else:
        in_atlas = {paper.slug for paper in papers}
        problems += [error(labels_path, labels[p.slug].line, f"{p.slug}: the labels hold a paper that content/papers/ has too")
                     for p in held if p.slug in in_atlas]
        papers = papers + held
    problems += found + check_evidence(papers, labels, labels_path)
    if any(problem.is_error for problem in problems):
        return None, problems
    return evaluate(papers, labels, taxonomy), problems


def _load(content: Path) -> tuple[Taxonomy | None, list[Paper], list[Problem]]:
    """The taxonomy and the papers of `content`, and every problem reading them."""
    taxonomy, problems = load_taxonomy(content / "taxonomy.yml")
    papers, found = store.load_papers(content)
    return taxonomy, papers, problems + found


def describe(paper: Paper, classification: Classification) -> str:
    """A paper's terms as `atlas classify` prints them: topics on a line, then each method with
    its strength and the sentence that shows it."""
    topics = ", ".join(a.slug for a in classification.topics) or "none"
    lines = [paper.slug, f"  topics: {topics}"]
    for assignment in (*classification.methods, *classification.mentioned_methods):
        where = "set by hand" if assignment.by_hand else f"\u201c{assignment.evidence}\u201d in the {assignment.where}"
        lines.append(f"  {assignment.strength:<9}  {assignment.slug:<20}  {where}" + (f": {assignment.sentence}" if assignment.sentence else ""))
    return "\n".join(lines)


def load_labels(path: Path, taxonomy: Taxonomy) -> tuple[dict[str, Labels], list[Problem]]:
    """The labels in `path` (slug -> Labels), or the problems that make them unusable."""
    try:
        text = files.read_capped(path, MAX_LABELS_BYTES, "labels file").decode("utf-8")
        node = yaml.compose(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
        raw = yaml.safe_load(text)
    except (files.UnreadableFile, UnicodeDecodeError, yaml.YAMLError) as exc:
        return {}, [error(path, getattr(getattr(exc, "problem_mark", None), "line", -1) + 1 or None, f"cannot read the labels: {exc}")]
    if not isinstance(raw, dict) or not isinstance(node, yaml.MappingNode):
        return {}, [error(path, 1, "the labels must map paper slugs to {central: {method: words}, mentioned: {...}}")]
    lines = {key.value: key.start_mark.line + 1 for key, _ in node.value}
    labels, problems = {}, []
    known = {term.slug for term in taxonomy.methods}
    for slug, value in raw.items():
        label, found = _parse_label(path, str(slug), value or {}, lines.get(slug, 1), known)
        problems += found
        if label is not None:
            labels[str(slug)] = label
    return labels, problems


def _parse_label(path: Path, slug: str, value, line: int, known: set[str]) -> tuple[Labels | None, list[Problem]]:
    """One paper's labels: `central` and `mentioned` (method -> words), and, for a paper that
    is not in content/, its `title` and `abstract`."""
    parts = {strength: value.get(strength) or {} for strength in STRENGTHS} if isinstance(value, dict) else None
    if parts is None or set(value) - {*STRENGTHS, "title", "abstract"} or not all(
            isinstance(p, dict) and all(isinstance(w, str) for w in p.values()) for p in parts.values()):
        return None, [error(path, line, f"{slug}: give `central` and `mentioned` as mappings of method slug to the words that show it")]
    problems = [error(path, line, f"{slug}: `{method}` is not a method in content/taxonomy.yml")
                for method in sorted({*parts["central"], *parts["mentioned"]} - known)]
    problems += [error(path, line, f"{slug}: `{method}` is labelled both central and mentioned")
                 for method in sorted(set(parts["central"]) & set(parts["mentioned"]))]
    paper = None
    if "title" in value or "abstract" in value:
        if not all(isinstance(value.get(key), str) and value[key].strip() for key in ("title", "abstract")):
            return None, problems + [error(path, line, f"{slug}: a paper the labels hold needs both `title` and `abstract`")]
        paper = Paper(slug=slug, title=value["title"], abstract=value["abstract"])
    return Labels(parts["central"], parts["mentioned"], line, paper), problems


def check_evidence(papers: list[Paper], labels: dict[str, Labels], path: Path) -> list[Problem]:
    """A problem for each labelled paper that is not in the atlas and each label whose words are
    not in the paper's title or abstract: labels must quote what they rest on."""
    by_slug = {paper.slug: paper for paper in papers}
    problems = []
    for slug, label in labels.items():
        paper = by_slug.get(slug)
        if paper is None:
            problems.append(error(path, label.line, f"{slug}: no such paper in content/papers/"))
            continue
        text = _squeezed(f"{paper.title} {paper.abstract}")
        for method, words in {**label.central, **label.mentioned}.items():
            if _squeezed(words) not in text:
                problems.append(error(path, label.line, f"{slug}: the words given for `{method}` are not in its title or abstract: {words!r}"))
    return problems


def evaluate(papers: list[Paper], labels: dict[str, Labels], taxonomy: Taxonomy) -> Evaluation:
    """The tags of every labelled paper compared with its labels."""
    result = Evaluation()
    for paper in papers:
        label = labels.get(paper.slug)
        if label is None:
            result.unlabelled.append(paper.slug)
            continue
        result.papers += 1
        found = {slug: a for (kind, slug), a in find_terms(paper.title, paper.abstract, taxonomy).items() if kind == "methods"}
        _compare(paper.slug, found, label, result)
    return result


def _compare(slug: str, found: dict[str, Assignment], label: Labels, result: Evaluation) -> None:
    for method in sorted({*found, *label.central}):
        assignment, counts = found.get(method), result.per_method.setdefault(method, Counter())
        labelled = "central" if method in label.central else "mentioned" if method in label.mentioned else ""
        finding = Finding(slug, method, assignment, labelled, label.central.get(method) or label.mentioned.get(method, ""))
        tagged = assignment is not None and assignment.central
        result.central += labelled == "central"
        counts["central"] += labelled == "central"
        if tagged:
            result.tags += 1
            result.tags_labelled += bool(labelled)
            result.tags_central += labelled == "central"
            counts.update(tags=1, right=bool(labelled), found=labelled == "central")
            if labelled == "mentioned":
                result.promoted.append(finding)
            elif not labelled:
                result.false_positives.append(finding)
        elif labelled == "central":
            (result.demoted if assignment is not None else result.misses).append(finding)
    for method, assignment in found.items():
        if not assignment.central:
            result.mentioned_tags += 1
            result.mentioned_labelled += method in label.central or method in label.mentioned


def report(result: Evaluation, labels_path: Path) -> str:
    """The evaluation as a reader wants it: the figures, then every disagreement with its evidence."""
    lines = [
        f"Methods of {result.papers} labelled papers ({labels_path})",
        f"  precision         {result.precision:.3f}  ({result.tags_labelled} of {result.tags} central tags are labelled central or mentioned)",
        f"  strict precision  {result.strict_precision:.3f}  ({result.tags_central} of {result.tags} central tags are labelled central)",
        f"  recall            {result.recall:.3f}  ({result.tags_central} of {result.central} central methods are tagged central)",
        f"  mentioned tags    {result.mentioned_labelled} of {result.mentioned_tags} name a labelled method",
        "",
        f"  {'method':<22}{'tags':>6}{'precision':>11}{'central':>9}{'recall':>8}",
    ]
    for method, counts in sorted(result.per_method.items()):
        precision = f"{counts['right'] / counts['tags']:.2f}" if counts["tags"] else "-"
        recall = f"{counts['found'] / counts['central']:.2f}" if counts["central"] else "-"
        lines.append(f"  {method:<22}{counts['tags']:>6}{precision:>11}{counts['central']:>9}{recall:>8}")
    for title, findings in (("tagged central, labelled neither (false positives)", result.false_positives),
                            ("tagged central, labelled mentioned", result.promoted),
                            ("labelled central, found only as mentioned", result.demoted),
                            ("labelled central, not found (misses)", result.misses)):
        lines += ["", f"{title}: {len(findings)}"]
        lines += [_finding_line(finding) for finding in findings]
    if result.unlabelled:
        lines += ["", f"not labelled, so not measured: {len(result.unlabelled)} paper(s); label them to measure them"]
        lines += [f"  {slug}" for slug in result.unlabelled]
    return "\n".join(lines)


def _finding_line(finding: Finding) -> str:
    line = f"  {finding.paper}: {finding.method}"
    if finding.found is not None:
        line += f"\n      matched \u201c{finding.found.evidence}\u201d in the {finding.found.where}: {finding.found.sentence}"
    if finding.words:
        line += f"\n      labelled {finding.label}: \u201c{finding.words}\u201d"
    return line


def _squeezed(text: str) -> str:
    return " ".join(text.split()).lower()
