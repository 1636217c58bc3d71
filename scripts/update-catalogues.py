#!/usr/bin/env python3
"""Keep the message catalogues and the glossary in step with the schema and the vocabulary.

The catalogues hold two kinds of message:

- the glossary of domain terms: every label of the schema's enumerations (provinces excepted: they
  are proper names, carried with the zones' data) and the vocabulary's fixed words;
- every text the code marks for translation, extracted with Babel from ``app.py``, ``pages/`` and
  ``sez_metrics/``: calls of ``_("…")``, ``N_("…")`` and ``ngettext("…", "…", n)``.

This script

- regenerates the template ``sez_metrics/locale/messages.pot`` from them,
- updates each translated language's ``sez_metrics/locale/<code>/LC_MESSAGES/messages.po`` with
  Babel, keeping every existing translation (a new term arrives untranslated; a removed one is
  dropped), and marks every entry as a draft translation,
- writes ``docs/glossary.md`` from the catalogues: term, what it means, 中文, اردو.

    .venv/bin/python scripts/update-catalogues.py           # write the catalogues and the glossary
    .venv/bin/python scripts/update-catalogues.py --check   # exit 1 when any of them is out of date
    .venv/bin/python scripts/update-catalogues.py --add new.json  # merge translations, then write

``--add`` reads ``{"English text": {"zh": "…", "ur": "…"}, …}`` (a plural's key is its singular,
its values lists of forms) and sets those translations in the catalogues.
"""

from __future__ import annotations

import argparse
import io
import sys
from datetime import UTC, datetime
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from babel.messages.catalog import Catalog  # noqa: E402
from babel.messages.extract import extract_from_dir, extract_from_file  # noqa: E402
from babel.messages.pofile import read_po, write_po  # noqa: E402

from sez_metrics.core import i18n, schema, vocabulary  # noqa: E402

PROJECT = "SEZ progress dashboard"
TEMPLATE = i18n.LOCALE_DIR / f"{i18n.DOMAIN}.pot"
GLOSSARY = REPO / "docs" / "glossary.md"
SCHEMA_FILE = "sez_metrics/core/schema.py"
VOCABULARY_FILE = "sez_metrics/core/vocabulary.py"

# The glossary's sections: each enumeration under the heading people know it by.
HEADINGS = {
    "stage": "Stage of a zone",
    "utility_stage": "Utility stage (gas, electricity)",
    "confidence": "Confidence of a figure",
    "colonization_basis": "Colonization basis (what colonization_pct is a share of)",
    "location_precision": "Location precision",
    "kind": "Milestone kind",
    "category": "Milestone category",
    "status": "Milestone status",
    "words": "Fixed words",
}
# The vocabulary's fixed words and what each means.
WORDS = (
    (vocabulary.PROGRAMME, "The name of what belongs to no one zone: programme-wide milestones, changes and timeline rows."),
    (vocabulary.NOT_APPLICABLE_SHORT, "A figure that cannot apply to a zone, where a narrow column's caption says why."),
    (vocabulary.NOT_APPLICABLE, "Colonization of a zone that holds no land yet (stage Identified): not applicable, not 0."),
    (vocabulary.NOT_REPORTED, "A figure the sources do not give."),
)


# Enumerations whose definitions the pages show as help (the zone page's tiles and warnings).
DEFINITIONS_SHOWN = ("stage", "utility_stage", "confidence")


def definitions() -> list[tuple[str, str]]:
    """(definition, the label it defines) of every code whose definition a page shows."""
    return [(code.definition, code.label) for enum in schema.ENUMERATIONS if enum.name in DEFINITIONS_SHOWN
            for code in enum.codes if code.definition]


def terms() -> list[tuple[str, str, str, str]]:
    """Every glossary term as (section, English term, what it means, source file), in order."""
    found = []
    for enum in schema.ENUMERATIONS:
        if enum is schema.PROVINCE:
            continue
        found += [(enum.name, code.label, code.definition, SCHEMA_FILE) for code in enum.codes]
    found += [("words", word, meaning, VOCABULARY_FILE) for word, meaning in WORDS]
    return found


# Where marked texts are extracted from, and the marking functions (sez_metrics.core.i18n).
SOURCES = ("app.py", "pages", "sez_metrics")
KEYWORDS = {"_": None, "N_": None, "ngettext": (1, 2)}


def marked_messages() -> list[tuple[str | tuple[str, str], str, int, list[str]]]:
    """Every marked text in the source as (message id, file, line, translator comments), in file order.
    A plural is the (singular, plural) pair."""
    found = []
    for source in SOURCES:
        path = REPO / source
        if path.is_file():
            items = ((source, *item) for item in extract_from_file("python", path, keywords=KEYWORDS,
                                                                    comment_tags=("Translators:",)))
        else:
            items = ((f"{source}/{item[0]}", *item[1:]) for item in extract_from_dir(
                path, method_map=[("**.py", "python")], keywords=KEYWORDS, comment_tags=("Translators:",)))
        for filename, lineno, message, comments, _context in items:
            found.append((message, filename, lineno, list(comments)))
    return sorted(found, key=lambda m: (m[1], m[2]))


def _po_bytes(catalog: Catalog) -> bytes:
    out = io.BytesIO()
    write_po(out, catalog, width=100, include_lineno=False, ignore_obsolete=True)
    return out.getvalue()


def _template(creation_date: datetime) -> Catalog:
    template = Catalog(project=PROJECT, domain=i18n.DOMAIN, creation_date=creation_date, fuzzy=False,
                       header_comment=f"# Messages of the {PROJECT}: the glossary of domain terms and every marked text.\n"
                                      "# Generated by scripts/update-catalogues.py from the schema, the vocabulary and the code.")
    for section, term, meaning, source in terms():
        template.add(term, locations=[(source, None)], auto_comments=[f"{section}: {meaning}"])
    for text, label in definitions():
        template.add(text, locations=[(SCHEMA_FILE, None)], auto_comments=[f"definition of {label!r}, shown as help"])
    for message, filename, _lineno, comments in marked_messages():
        existing = template.get(message if isinstance(message, str) else message[0])
        if existing is not None:
            if (filename, None) not in existing.locations:
                existing.locations.append((filename, None))
            existing.auto_comments.extend(c for c in comments if c not in existing.auto_comments)
            continue
        template.add(message, locations=[(filename, None)], auto_comments=comments)
    return template


def _read(path: Path, locale: str | None = None) -> Catalog | None:
    if not path.exists():
        return None
    with path.open("rb") as po:
        return read_po(po, locale=locale, domain=i18n.DOMAIN)


def template_catalog() -> tuple[Catalog, bytes]:
    """The template, dated as the file on disk unless its messages changed."""
    old = _read(TEMPLATE)
    if old is not None:
        template = _template(old.creation_date)
        text = _po_bytes(template)
        if TEMPLATE.read_bytes() == text:
            return template, text
    template = _template(datetime.now(UTC).replace(second=0, microsecond=0))
    return template, _po_bytes(template)


def language_catalog(code: str, template: Catalog, added: dict | None = None) -> Catalog:
    """``code``'s catalogue updated from the template: translations kept, every entry a draft."""
    lang = i18n.language(code)
    catalog = _read(i18n.catalogue_path(code), lang.locale)
    if catalog is None:
        catalog = Catalog(locale=lang.locale, project=PROJECT, domain=i18n.DOMAIN, fuzzy=False,
                          header_comment=f"# {lang.english_name} ({lang.name}) messages of the {PROJECT}.\n"
                                         "# Every translation here is a draft, to be reviewed by a native speaker before official use.")
    catalog.update(template, no_fuzzy_matching=True)
    for msgid, by_language in (added or {}).items():
        message = catalog.get(msgid)
        if message is None:
            raise SystemExit(f"--add: {msgid!r} is not marked in the code nor a glossary term")
        if code in by_language:
            message.string = tuple(by_language[code]) if isinstance(message.id, tuple) else by_language[code]
    for message in catalog:
        if message.id and i18n.DRAFT_NOTE not in message.user_comments:
            message.user_comments.append(i18n.DRAFT_NOTE)
    return catalog


def _cell(text: str) -> str:
    return " ".join((text or "").split()).replace("|", "\\|")


def glossary(catalogs: dict[str, Catalog]) -> str:
    """docs/glossary.md: one table per section, the translations as the catalogues hold them."""
    names = [i18n.language(code).name for code in i18n.TRANSLATED]
    lines = [
        "# Glossary: the dashboard's domain terms in English, 中文 and اردو",
        "",
        "**The Chinese and Urdu translations are drafts, to be reviewed by native speakers before "
        "official use.**",
        "",
        "Generated by `scripts/update-catalogues.py` from the message catalogues "
        "(`sez_metrics/locale/<code>/LC_MESSAGES/messages.po`); the meanings are the schema's "
        "definitions (`sez_metrics/core/schema.py`) and the vocabulary's fixed words "
        "(`sez_metrics/core/vocabulary.py`). Edit translations in the catalogues, then run the script.",
    ]
    section = None
    for name, term, meaning, _source in terms():
        if name != section:
            section = name
            lines += ["", f"## {HEADINGS.get(name, name)}", "",
                      "| Term (English) | What it means | " + " | ".join(names) + " |",
                      "|---|---|" + "---|" * len(names)]
        translated = [catalogs[code].get(term).string if catalogs[code].get(term) else "" for code in i18n.TRANSLATED]
        lines.append("| " + " | ".join(_cell(t) for t in (term, meaning, *translated)) + " |")
    return "\n".join(lines) + "\n"


def wanted(added: dict | None = None) -> dict[Path, bytes]:
    """Every generated file and the bytes it should hold (with ``added`` translations set)."""
    template, text = template_catalog()
    files = {TEMPLATE: text}
    catalogs = {}
    for code in i18n.TRANSLATED:
        catalogs[code] = language_catalog(code, template, added)
        files[i18n.catalogue_path(code)] = _po_bytes(catalogs[code])
    files[GLOSSARY] = glossary(catalogs).encode()
    return files


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="exit 1 when a catalogue or the glossary is out of date")
    parser.add_argument("--add", type=Path, metavar="JSON", help="translations to set: {english: {zh: …, ur: …}}")
    args = parser.parse_args(argv)
    added = None
    if args.add:
        import json

        added = json.loads(args.add.read_text(encoding="utf-8"))
    files = wanted(added)
    stale = [path for path, text in files.items() if not path.exists() or path.read_bytes() != text]
    if args.check:
        for path in stale:
            print(f"{path.relative_to(REPO)} is out of date: run scripts/update-catalogues.py", file=sys.stderr)
        return 1 if stale else 0
    for path in stale:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(files[path])
        print(f"wrote {path.relative_to(REPO)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
