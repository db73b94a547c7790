"""Words on plots and in the HTML report, in English, Russian and Belarusian.

The audit package is pure (no Django), so it cannot use Django's gettext; the
few dozen labels it needs live here. Web views pass the member's language.
"""

from __future__ import annotations

__all__ = ["LANGUAGES", "label"]

LANGUAGES: tuple[str, ...] = ("en", "ru", "be")

_LABELS: dict[str, tuple[str, str, str]] = {
    # key: (English, Russian, Belarusian)
    "title": (
        "Audit of the official election result",
        "Аудит официальных итогов выборов",
        "Аўдыт афіцыйных вынікаў выбараў",
    ),
    "simulated": (
        "SIMULATED ELECTION — synthetic data for demonstration, not real results",
        "СИМУЛЯЦИЯ — синтетические данные для демонстрации, не реальные итоги",
        "СІМУЛЯЦЫЯ — сінтэтычныя даныя для дэманстрацыі, не сапраўдныя вынікі",
    ),
    "turnout": ("Turnout, %", "Явка, %", "Яўка, %"),
    "leader_share": ("Share of {leader}, %", "Доля: {leader}, %", "Доля: {leader}, %"),
    "stations": ("Polling stations", "Избирательные участки", "Выбарчыя ўчасткі"),
    "votes_per_bin": ("Votes per 1 % of turnout", "Голосов на 1 % явки", "Галасоў на 1 % яўкі"),
    "fingerprint": (
        "Election fingerprint (Klimek et al.)",
        "«Отпечаток» выборов (Климек и др.)",
        "«Адбітак» выбараў (Клімек і інш.)",
    ),
    "observers": (
        "Observers' counts of voters",
        "Подсчёт избирателей наблюдателями",
        "Падлік выбаршчыкаў назіральнікамі",
    ),
    "anomalous_estimate": (
        "Anomalous votes (estimate)",
        "Аномальные голоса (оценка)",
        "Анамальныя галасы (ацэнка)",
    ),
    "observed": ("Official data", "Официальные данные", "Афіцыйныя даныя"),
    "model": (
        "Fitted fraud model",
        "Подобранная модель фальсификаций",
        "Падабраная мадэль фальсіфікацый",
    ),
    "turnout_votes": (
        "Votes by turnout (Shpilkin)",
        "Голоса по явке (метод Шпилькина)",
        "Галасы па яўцы (метад Шпількіна)",
    ),
    "expected_leader": (
        "{leader}: clean-share expectation",
        "{leader}: ожидание по «чистой» доле",
        "{leader}: чаканне па «чыстай» долі",
    ),
    "clean_mode": ("clean mode", "«чистая» мода", "«чыстая» мода"),
    "anomalous": ("anomalous votes", "аномальные голоса", "анамальныя галасы"),
    "integers": (
        "Integer percentages (Kobak et al.)",
        "Целые проценты (Кобак и др.)",
        "Цэлыя працэнты (Кобак і інш.)",
    ),
    "stations_per_bin": ("Stations per 0.1 %", "Участков на 0,1 %", "Участкаў на 0,1 %"),
    "second_digit": (
        "Second digit of vote counts (2BL)",
        "Вторая цифра числа голосов (2BL)",
        "Другая лічба колькасці галасоў (2BL)",
    ),
    "digit": ("Second digit", "Вторая цифра", "Другая лічба"),
    "frequency": ("Share of counts", "Доля чисел", "Доля лікаў"),
    "benford": ("Benford (2BL)", "Закон Бенфорда (2BL)", "Закон Бенфарда (2BL)"),
    "regions": (
        "Regions: robust z-scores",
        "Регионы: робастные z-оценки",
        "Рэгіёны: рабастныя z-ацэнкі",
    ),
    "region_axis": (
        "Region (turnout / leader's share)",
        "Регион (явка / доля лидера)",
        "Рэгіён (яўка / доля лідара)",
    ),
    "z_turnout": ("z of turnout", "z явки", "z яўкі"),
    "z_share": ("z of leader's share", "z доли лидера", "z долі лідара"),
    "witnesses": (
        "Witnessed votes against the protocol",
        "Подтверждённые голоса против протокола",
        "Пацверджаныя галасы супраць пратакола",
    ),
    "proven_summary": (
        "{stations} stations proven falsified, at least {votes} votes",
        "{stations} участков: фальсификация доказана, не менее {votes} голосов",
        "{stations} участкаў: фальсіфікацыя даказана, не менш за {votes} галасоў",
    ),
    "witnessed": ("Witnessed votes", "Подтверждённые голоса", "Пацверджаныя галасы"),
    "official_votes": ("Official votes", "Официальные голоса", "Афіцыйныя галасы"),
    "summary": ("Summary", "Сводка", "Зводка"),
    "methods": ("Methods", "Методы", "Метады"),
    "assumptions": ("Assumptions", "Допущения", "Дапушчэнні"),
    "limits": ("Limits", "Ограничения", "Абмежаванні"),
    "flagged": ("Flagged stations", "Отмеченные участки", "Адзначаныя ўчасткі"),
    "signal": ("signal", "сигнал", "сігнал"),
    "no_signal": ("no signal", "нет сигнала", "няма сігналу"),
    "proven": ("Falsification proven", "Фальсификация доказана", "Фальсіфікацыя даказана"),
    "candidate": ("Candidate", "Кандидат", "Кандыдат"),
    "votes": ("Votes", "Голоса", "Галасы"),
    "skipped": (
        "Rows left out of the audit",
        "Строки, исключённые из аудита",
        "Радкі, выключаныя з аўдыту",
    ),
    "station": ("Station", "Участок", "Участак"),
    "region": ("Region", "Регион", "Рэгіён"),
    "reasons": ("Reasons", "Причины", "Прычыны"),
    "figure": ("Figure", "Показатель", "Паказчык"),
    "value": ("Value", "Значение", "Значэнне"),
    "not_given": ("not given", "нет данных", "няма даных"),
}


def label(key: str, language: str = "en", **values: str) -> str:
    """The label ``key`` in ``language`` ('en', 'ru' or 'be'), formatted with ``values``."""
    if language not in LANGUAGES:
        raise ValueError(f"language must be one of {', '.join(LANGUAGES)}, not {language!r}")
    text = _LABELS[key][LANGUAGES.index(language)]
    return text.format(**values) if values else text
