"""The offline report.html is wholly in the language chosen when it is made: no report
keys or reason codes, no English words, dates and numbers as Belarusian and Russian
readers write them. Only names from the data, file names and the format id stay as
they are (the last two in <code>)."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest

from veche.audit import digits, integers, klimek, regions, turnout, witnesses
from veche.audit.labels import _LABELS
from veche.audit.report_words import KEYS, PHRASES, REASONS, TEXTS, number

SENTENCES = [
    *witnesses.WITNESS_ASSUMPTIONS,
    *witnesses.WITNESS_LIMITS,
    *witnesses.OBSERVER_ASSUMPTIONS,
    *witnesses.OBSERVER_LIMITS,
    *turnout.ASSUMPTIONS,
    *turnout.LIMITS,
    *integers.ASSUMPTIONS,
    *integers.LIMITS,
    *digits.ASSUMPTIONS,
    *digits.LIMITS,
    *klimek.ASSUMPTIONS,
    *klimek.LIMITS,
    *regions.ASSUMPTIONS,
    *regions.LIMITS,
]


def test_every_method_sentence_has_its_translations() -> None:
    missing = [text for text in SENTENCES if text not in TEXTS]
    assert not missing, missing


@pytest.fixture(scope="module")
def reports(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    from veche.audit import read_observers, read_official, read_witnesses, run_audit
    from veche.audit.report import write_report
    from veche.audit.simulation import simulate, write_simulation

    folder = tmp_path_factory.mktemp("audit")
    files = write_simulation(simulate(400, seed=2, rewrite=0.1, stuffing=0.1), folder / "sim")
    official = read_official(files["official"])
    report = run_audit(
        official,
        read_witnesses(files["witness"], official),
        read_observers(files["observer"], official),
        resamples=50,
    )
    pages = {}
    for language in ("en", "be", "ru"):
        out = folder / language
        write_report(report, out, plots=False, language=language, simulated=True)
        pages[language] = (out / "report.html").read_text(encoding="utf-8")
    return pages


def _text(page: str) -> str:
    """What a reader sees, without <code> (file names, the format id) and <style>."""
    page = re.sub(r"(?is)<(style|code)\b.*?</\1>", " ", page)
    return html.unescape(re.sub(r"(?s)<[^>]+>", "\n", page))


@pytest.mark.parametrize("language", ["be", "ru"])
def test_report_has_no_codes_and_no_english(reports: dict[str, str], language: str) -> None:
    text = _text(reports[language])
    codes = [k for k in [*KEYS, *REASONS] if "_" in k and re.search(rf"\b{k}\b", text)]
    assert not codes, codes
    english = [
        words[0].split("{")[0].strip()
        for words in [*KEYS.values(), *REASONS.values(), *PHRASES.values(), *_LABELS.values()]
        if words[0] != words[1] and len(words[0].split("{")[0].strip()) >= 12
    ]
    english += [text for text in SENTENCES]
    leaks = [words for words in english if words in text]
    assert not leaks, leaks
    # No ASCII words but the model's own symbols and test names (f_incremental, p, 2BL).
    ascii_words = set(re.findall(r"\b[A-Za-z]{4,}\b", text)) - {"alpha", "Bin"}
    assert not ascii_words, ascii_words
    assert not re.search(r"\d{4}-\d\d-\d\dT", text)  # no ISO timestamps
    assert not re.search(r"\d\.\d", text)  # decimal commas
    assert re.search(r"\d,\d", text)
    month = {
        "be": "снежня|студзеня|лютага|сакавіка|красавіка|мая|чэрвеня|ліпеня|жніўня|верасня|кастрычніка|лістапада",
        "ru": "января|февраля|марта|апреля|мая|июня|июля|августа|сентября|октября|ноября|декабря",
    }[language]
    assert re.search(rf"\d{{1,2}} ({month}) \d{{4}} г\., \d\d:\d\d UTC", text)


def test_english_report_reads_as_before(reports: dict[str, str]) -> None:
    text = _text(reports["en"])
    assert "Stations where falsification is proven" in text
    assert "falsification proven" in text
    assert re.search(r"\d\.\d", text)  # decimal points in English


def test_numbers_per_language() -> None:
    assert number(0.6429, "be") == "0,6429" and number(0.6429, "en") == "0.6429"
    assert number(6502042, "ru") == "6\u202f502\u202f042"
    assert number(-2336, "ru") == "\u22122\u202f336"
    assert number(1e-10, "be") == "1 × 10⁻¹⁰"


def test_a_skipped_row_is_told_in_the_reports_language(tmp_path: Path) -> None:
    from veche.audit import read_official
    from veche.audit.report import _problems
    from veche.audit.report_words import ROW_PROBLEMS, row_problem

    official = tmp_path / "official.csv"
    official.write_text(
        "station,region,registered,ballots,invalid,Лукашенко\n"
        "1,Минск,100,50,1,49\n2,Минск,100,5O,1,4\n1,Минск,100,50,1,49\n",
        encoding="utf-8",
    )
    read = read_official(official, skip_bad_rows=True)
    bad, duplicate = _problems(read.skipped)
    assert (bad["code"], bad["params"]) == ("not-whole", {"cell": "5O"})
    assert duplicate["code"] == "duplicate"
    assert row_problem(bad, "en") == bad["message"] == "'5O' is not a whole number ≥ 0"
    assert row_problem(bad, "ru") == "«5O» — не целое число ≥ 0"
    assert row_problem(duplicate, "be") == "station «1» ужо ёсць у радку 2"
    # A problem without a code (a report of an older version) is shown as written.
    assert row_problem({"message": "odd"}, "be") == "odd"
    assert all(len(words) == 3 for words in ROW_PROBLEMS.values())
