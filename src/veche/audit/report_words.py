"""The HTML report's words beyond the plots' labels, in English, Russian and Belarusian:
the report's keys and reasons as readers name them, the methods' assumptions and limits,
numbers and dates as each language writes them.

The report is a file people pass around, made once in the language chosen when it is
made; ``report.json`` and ``flagged_stations.csv`` keep the codes, this page shows words.
The audit package is pure (no Django), so these tables live here, next to ``labels``.
"""

from __future__ import annotations

import math
import re
from datetime import datetime

from veche.audit.labels import LANGUAGES

__all__ = [
    "KEYS",
    "PHRASES",
    "REASONS",
    "ROW_PROBLEMS",
    "TEXTS",
    "key_label",
    "localized_date",
    "number",
    "phrase",
    "row_problem",
    "sentence",
]

# Report keys (report.json, flagged_stations.csv) -> (English, Russian, Belarusian).
KEYS: dict[str, tuple[str, str, str]] = {
    "stations": ("Polling stations", "Избирательные участки", "Выбарчыя ўчасткі"),
    "registered": (
        "Registered voters",
        "Зарегистрировано избирателей",
        "Зарэгістравана выбаршчыкаў",
    ),
    "ballots": ("Ballots in the boxes", "Бюллетеней в урнах", "Бюлетэняў ва урнах"),
    "turnout": ("Turnout", "Явка", "Яўка"),
    "leader": (
        "Leader by the official count",
        "Лидер по официальным данным",
        "Лідар паводле афіцыйных даных",
    ),
    "proven_falsified_stations": (
        "Stations where falsification is proven",
        "Участки с доказанной фальсификацией",
        "Участкі з даказанай фальсіфікацыяй",
    ),
    "proven_min_falsified_votes": (
        "Falsified votes, at least",
        "Фальсифицированных голосов, не менее",
        "Сфальсіфікаваных галасоў, не менш за",
    ),
    "min_falsified_votes": (
        "Falsified votes, at least",
        "Фальсифицированных голосов, не менее",
        "Сфальсіфікаваных галасоў, не менш за",
    ),
    "station_coverage": (
        "Share of stations with witnesses",
        "Доля участков со свидетелями",
        "Доля ўчасткаў са сведкамі",
    ),
    "voter_coverage": (
        "Share of voters at stations with witnesses",
        "Доля избирателей на участках со свидетелями",
        "Доля выбаршчыкаў на ўчастках са сведкамі",
    ),
    "witnesses_exceed_ballots": (
        "Stations with more witnesses than ballots",
        "Участки, где свидетелей больше, чем бюллетеней",
        "Участкі, дзе сведак больш, чым бюлетэняў",
    ),
    "observed_stations": (
        "Stations with observers",
        "Участки с наблюдателями",
        "Участкі з назіральнікамі",
    ),
    "flagged_stations": ("Stations flagged", "Отмеченные участки", "Адзначаныя ўчасткі"),
    "excess_voters": (
        "Voters beyond the observers' counts",
        "Избирателей сверх подсчёта наблюдателей",
        "Выбаршчыкаў звыш падліку назіральнікаў",
    ),
    "mode_turnout": (
        "Most common turnout (mode)",
        "Самая частая явка (мода)",
        "Найчасцейшая яўка (мода)",
    ),
    "leader_anomalous_share": (
        "Anomalous share of the leader's votes",
        "Аномальная доля голосов лидера",
        "Анамальная доля галасоў лідара",
    ),
    "anomalous_votes_estimate": (
        "Anomalous votes: {name}",
        "Аномальные голоса: {name}",
        "Анамальныя галасы: {name}",
    ),
    "outlier_stations": ("Outlier stations", "Участки-выбросы", "Участкі-выкіды"),
    "outlier_regions": ("Outlier regions", "Регионы-выбросы", "Рэгіёны-выкіды"),
    "f_incremental": (
        "Share of stations with incremental stuffing",
        "Доля участков с постепенным вбросом",
        "Доля ўчасткаў з паступовым укідам",
    ),
    "f_extreme": (
        "Share of stations with extreme stuffing",
        "Доля участков с предельным вбросом",
        "Доля ўчасткаў з гранічным укідам",
    ),
    "alpha": (
        "Share of votes moved from others (alpha)",
        "Доля голосов, перенесённых от других (альфа)",
        "Доля галасоў, перанесеных ад іншых (альфа)",
    ),
    "theta": ("Spread of stuffing (theta)", "Разброс вброса (тэта)", "Разкід укіду (тэта)"),
    "clean_turnout": ("Clean turnout", "«Чистая» явка", "«Чыстая» яўка"),
    "clean_turnout_sd": (
        "Spread of the clean turnout",
        "Разброс «чистой» явки",
        "Разкід «чыстай» яўкі",
    ),
    "clean_share": ("Leader's clean share", "«Чистая» доля лидера", "«Чыстая» доля лідара"),
    "clean_share_sd": (
        "Spread of the leader's clean share",
        "Разброс «чистой» доли лидера",
        "Разкід «чыстай» долі лідара",
    ),
    "deviance": (
        "Deviance of the fraud model",
        "Девианс модели с фальсификациями",
        "Дэвіянс мадэлі з фальсіфікацыямі",
    ),
    "deviance_without_fraud": (
        "Deviance of the model without fraud",
        "Девианс модели без фальсификаций",
        "Дэвіянс мадэлі без фальсіфікацый",
    ),
    "integer_stations": (
        "Stations on integer percentages beyond chance",
        "Участков на целых процентах сверх случайного",
        "Участкаў на цэлых працэнтах звыш выпадковага",
    ),
    "sd": ("Standard error", "Стандартная ошибка", "Стандартная памылка"),
    "p_value": ("p-value", "p-значение", "p-значэнне"),
    "observed": (
        "Stations on integer percentages",
        "Участков на целых процентах",
        "Участкаў на цэлых працэнтах",
    ),
    "expected": ("Expected by chance", "Ожидается случайно", "Чакаецца выпадкова"),
    "expected_exact": (
        "Expected by chance (exact)",
        "Ожидается случайно (точный расчёт)",
        "Чакаецца выпадкова (дакладны разлік)",
    ),
    "sd_exact": (
        "Standard error (exact)",
        "Стандартная ошибка (точный расчёт)",
        "Стандартная памылка (дакладны разлік)",
    ),
    "draw": ("Resampling", "Способ пересчёта", "Спосаб пераліку"),
    "used_stations": ("Stations used", "Использовано участков", "Выкарыстана ўчасткаў"),
    "resamples": ("Resamples", "Повторных выборок", "Паўторных выбарак"),
    "observed_turnout": (
        "Stations with an integer turnout",
        "Участков с целой явкой",
        "Участкаў з цэлай яўкай",
    ),
    "observed_share": (
        "Stations with an integer leader's share",
        "Участков с целой долей лидера",
        "Участкаў з цэлай доляй лідара",
    ),
    "leader_share": ("Leader's share", "Доля лидера", "Доля лідара"),
    "second_digit_row": (
        "{name}: χ² / p / counts",
        "{name}: χ² / p / чисел",
        "{name}: χ² / p / лікаў",
    ),
    # Values of ``draw``.
    "exact": ("exact", "точный", "дакладны"),
    "binomial": ("binomial draws", "биномиальные выборки", "бінаміяльныя выбаркі"),
}

# Why a station is flagged (flagged_stations.csv's ``reasons``, joined by ';').
REASONS: dict[str, tuple[str, str, str]] = {
    "proven_falsified": (
        "falsification proven",
        "фальсификация доказана",
        "фальсіфікацыя даказана",
    ),
    "witnesses_exceed_ballots": (
        "more witnesses than ballots",
        "свидетелей больше, чем бюллетеней",
        "сведак больш, чым бюлетэняў",
    ),
    "observer_count_exceeded": (
        "more voters than the observers counted",
        "избирателей больше, чем насчитали наблюдатели",
        "выбаршчыкаў больш, чым налічылі назіральнікі",
    ),
    "outlier_turnout": (
        "turnout stands out in its region",
        "явка выделяется в своём регионе",
        "яўка вылучаецца ў сваім рэгіёне",
    ),
    "outlier_leader_share": (
        "leader's share stands out in its region",
        "доля лидера выделяется в своём регионе",
        "доля лідара вылучаецца ў сваім рэгіёне",
    ),
    "votes_and_invalid_differ_from_ballots": (
        "votes and invalid ballots do not add up to the ballots",
        "голоса и недействительные бюллетени не сходятся с числом бюллетеней",
        "галасы і несапраўдныя бюлетэні не сыходзяцца з колькасцю бюлетэняў",
    ),
    "voters_exceed_registered": (
        "more voters than registered",
        "избирателей больше, чем зарегистрировано",
        "выбаршчыкаў больш, чым зарэгістравана",
    ),
    "ballots_exceed_issued": (
        "more ballots than issued",
        "бюллетеней больше, чем выдано",
        "бюлетэняў больш, чым выдадзена",
    ),
}

# A bad row of an input file, by ``RowProblem.code``, with its ``params``.
ROW_PROBLEMS: dict[str, tuple[str, str, str]] = {
    "not-utf8": (
        "byte {byte} is not UTF-8",
        "байт {byte} — не UTF-8",
        "байт {byte} — не UTF-8",
    ),
    "csv": ("not valid CSV", "это не правильный CSV", "гэта не правільны CSV"),
    "empty-file": (
        "the file is empty; a header is required",
        "файл пуст; нужна строка заголовков",
        "файл пусты; патрэбны радок загалоўкаў",
    ),
    "xlsx": (
        "not a readable .xlsx workbook",
        "книгу .xlsx не удаётся прочитать",
        "кнігу .xlsx не ўдаецца прачытаць",
    ),
    "no-file": ("no such file", "такого файла нет", "такога файла няма"),
    "empty-column-name": (
        "empty column name",
        "пустое имя столбца",
        "пустая назва слупка",
    ),
    "column-twice": (
        "column '{name}' appears twice",
        "столбец «{name}» встречается дважды",
        "слупок «{name}» сустракаецца двойчы",
    ),
    "missing-columns": (
        "the header lacks column(s) {missing}; it has {header}",
        "в заголовке нет столбцов: {missing}; в нём есть: {header}",
        "у загалоўку няма слупкоў: {missing}; у ім ёсць: {header}",
    ),
    "field-count": (
        "has {fields} fields, the header has {width}",
        "полей в строке: {fields}, а в заголовке: {width}",
        "палёў у радку: {fields}, а ў загалоўку: {width}",
    ),
    "empty": ("is empty", "пусто", "пуста"),
    "empty-number": (
        "is empty; write 0 for none",
        "пусто; если ничего нет, напишите 0",
        "пуста; калі нічога няма, напішыце 0",
    ),
    "not-whole": (
        "'{cell}' is not a whole number ≥ 0",
        "«{cell}» — не целое число ≥ 0",
        "«{cell}» — не цэлы лік ≥ 0",
    ),
    "duplicate": (
        "{column} '{value}' already appears on line {line}",
        "{column} «{value}» уже есть в строке {line}",
        "{column} «{value}» ужо ёсць у радку {line}",
    ),
    "no-candidates": (
        "the header names no candidate column",
        "в заголовке нет ни одного столбца кандидата",
        "у загалоўку няма ніводнага слупка кандыдата",
    ),
    "no-stations": ("no stations", "нет ни одного участка", "няма ніводнага ўчастка"),
    "unknown-station": (
        "station '{station}' is not in the official protocol {source}",
        "участка «{station}» нет в официальном протоколе {source}",
        "участка «{station}» няма ў афіцыйным пратаколе {source}",
    ),
    "unknown-candidate": (
        "'{candidate}' is not a candidate of {source} ({known})",
        "«{candidate}» — не кандидат в {source} ({known})",
        "«{candidate}» — не кандыдат у {source} ({known})",
    ),
}


def row_problem(problem: dict[str, object], language: str) -> str:
    """A skipped row's problem (report.json's ``skipped_rows`` entry) in ``language``:
    by its code where it has one, else the English sentence as written."""
    words = ROW_PROBLEMS.get(str(problem.get("code") or ""))
    params = problem.get("params")
    if words is None or not isinstance(params, dict):
        return str(problem.get("message", ""))
    try:
        return words[_index(language)].format(**{k: str(v) for k, v in params.items()})
    except (KeyError, IndexError):
        return str(problem.get("message", ""))


# The report's own phrases.
PHRASES: dict[str, tuple[str, str, str]] = {
    "made": (
        "Made {when} from {source}",
        "Составлен {when} по файлу {source}",
        "Складзены {when} па файле {source}",
    ),
    "format": ("Format", "Формат", "Фармат"),
    "not_used": (
        "(not used as a fraud signal)",
        "(не используется как признак фальсификаций)",
        "(не выкарыстоўваецца як прыкмета фальсіфікацый)",
    ),
    "all_listed": (
        "{file} lists all of them.",
        "Все они перечислены в файле {file}.",
        "Усе яны пералічаны ў файле {file}.",
    ),
    "where": (
        "{file}, line {line}, column {column}",
        "{file}, строка {line}, столбец {column}",
        "{file}, радок {line}, слупок {column}",
    ),
    "where_row": ("{file}, line {line}", "{file}, строка {line}", "{file}, радок {line}"),
    "failed": (
        "Methods that could not run",
        "Методы, которые не удалось применить",
        "Метады, якія не ўдалося ўжыць",
    ),
}

# Sentences of the pure methods (their assumptions, limits and errors), by their English
# text -> (Russian, Belarusian). tests/core/audit checks every method's sentence is here.
TEXTS: dict[str, tuple[str, str]] = {
    # witnesses
    "Each witness report is one real vote at that station, proven by evidence checked by the platform; one piece of evidence counts once.": (
        "Каждое сообщение свидетеля — один реальный голос на этом участке, подтверждённый доказательством, которое проверила платформа; одно доказательство засчитывается один раз.",
        "Кожнае паведамленне сведкі — адзін сапраўдны голас на гэтым участку, пацверджаны доказам, які праверыла платформа; адзін доказ залічваецца адзін раз.",
    ),
    "A station is proven falsified when witnessed votes for a candidate exceed that candidate's official votes; the difference is the minimum number of falsified votes.": (
        "Фальсификация на участке доказана, когда подтверждённых голосов за кандидата больше, чем у него официальных; разница — минимальное число фальсифицированных голосов.",
        "Фальсіфікацыя на ўчастку даказана, калі пацверджаных галасоў за кандыдата больш, чым у яго афіцыйных; розніца — мінімальная колькасць сфальсіфікаваных галасоў.",
    ),
    "Stations without witnesses prove nothing either way; coverage says how much of the election the proof can reach.": (
        "Участки без свидетелей ничего не доказывают ни в ту, ни в другую сторону; охват показывает, какую часть выборов может затронуть доказательство.",
        "Участкі без сведак нічога не даказваюць ні ў той, ні ў другі бок; ахоп паказвае, якую частку выбараў можа ахапіць доказ.",
    ),
    "Forged or duplicated witness reports would make false proofs; the proof is only as good as the evidence checks behind the witness file.": (
        "Поддельные или задвоенные сообщения свидетелей дали бы ложные доказательства; доказательство надёжно ровно настолько, насколько надёжна проверка доказательств за файлом свидетелей.",
        "Падробленыя або падвоеныя паведамленні сведак далі б ілжывыя доказы; доказ надзейны роўна настолькі, наколькі надзейная праверка доказаў за файлам сведак.",
    ),
    "The minimum is a lower bound: votes moved where too few voters sent evidence stay unseen.": (
        "Минимум — это нижняя граница: голоса, перенесённые там, где доказательства прислали слишком мало избирателей, остаются незамеченными.",
        "Мінімум — гэта ніжняя мяжа: галасы, перанесеныя там, дзе доказы даслалі занадта мала выбаршчыкаў, застаюцца незаўважанымі.",
    ),
    # observers
    "Observers count every voter who enters; a station is flagged when the official number of voters exceeds the observed count by more than 10% + 10 voters (observers miss some voters, e.g. home voting).": (
        "Наблюдатели считают каждого вошедшего избирателя; участок отмечается, когда официальное число проголосовавших превышает подсчёт наблюдателей более чем на 10 % + 10 избирателей (наблюдатели видят не всех, например голосующих на дому).",
        "Назіральнікі лічаць кожнага выбаршчыка, які ўвайшоў; участак адзначаецца, калі афіцыйная колькасць тых, хто прагаласаваў, перавышае падлік назіральнікаў больш чым на 10 % + 10 выбаршчыкаў (назіральнікі бачаць не ўсіх, напрыклад тых, хто галасуе дома).",
    ),
    "Observers who watched only election day miss early voting; flagged stations are grounds for questions, not proof.": (
        "Наблюдатели, следившие только за днём выборов, не видят досрочного голосования; отмеченные участки — повод для вопросов, а не доказательство.",
        "Назіральнікі, якія сачылі толькі за днём выбараў, не бачаць датэрміновага галасавання; адзначаныя ўчасткі — падстава для пытанняў, а не доказ.",
    ),
    # turnout (Shpilkin)
    "Without fraud, candidates' shares do not depend on turnout and turnout has one mode; stations at or below the mode are taken as clean.": (
        "Без фальсификаций доли кандидатов не зависят от явки, а у явки одна мода; участки с явкой не выше моды считаются «чистыми».",
        "Без фальсіфікацый долі кандыдатаў не залежаць ад яўкі, а ў яўкі адна мода; участкі з яўкай не вышэй за моду лічацца «чыстымі».",
    ),
    "The other candidates' votes above the mode are genuine; the leader's votes in excess of the clean share are anomalous (added ballots or votes moved to the leader).": (
        "Голоса остальных кандидатов выше моды настоящие; голоса лидера сверх «чистой» доли аномальны (вброшенные бюллетени или голоса, перенесённые лидеру).",
        "Галасы астатніх кандыдатаў вышэй за моду сапраўдныя; галасы лідара звыш «чыстай» долі анамальныя (укінутыя бюлетэні або галасы, перанесеныя лідару).",
    ),
    "Flagged when the anomalous votes exceed 3% of the leader's votes and 3 standard errors; the standard error comes from linearising the estimate and summing its terms per region (per district, or per station, when there are fewer than 5 regions), so that habits shared by a region's stations count as noise, not as fraud.": (
        "Сигнал — когда аномальных голосов больше 3 % голосов лидера и больше 3 стандартных ошибок; стандартная ошибка получается линеаризацией оценки и суммированием её слагаемых по регионам (по районам или по участкам, если регионов меньше 5), чтобы общие привычки участков одного региона считались шумом, а не фальсификацией.",
        "Сігнал — калі анамальных галасоў больш за 3 % галасоў лідара і больш за 3 стандартныя памылкі; стандартная памылка атрымліваецца лінеарызацыяй ацэнкі і сумаваннем яе складнікаў па рэгіёнах (па раёнах або па ўчастках, калі рэгіёнаў менш за 5), каб агульныя звычкі ўчасткаў аднаго рэгіёна лічыліся шумам, а не фальсіфікацыяй.",
    ),
    "If turnout and support are linked for honest reasons (rural areas vote more and differently), the estimate includes that link; compare regions before concluding.": (
        "Если явка и поддержка связаны по честным причинам (сельские районы голосуют активнее и иначе), оценка включает и эту связь; прежде чем делать выводы, сравните регионы.",
        "Калі яўка і падтрымка звязаныя па сумленных прычынах (сельская мясцовасць галасуе актыўней і інакш), ацэнка ўключае і гэтую сувязь; перш чым рабіць высновы, параўнайце рэгіёны.",
    ),
    "Fraud at stations below the mode is missed and biases the clean share upwards; votes moved from others are counted with a factor 1/(1 - clean share); the figure is an estimate, not a count.": (
        "Фальсификации на участках ниже моды не видны и завышают «чистую» долю; голоса, перенесённые от других, учитываются с множителем 1/(1 − «чистая» доля); это оценка, а не подсчёт.",
        "Фальсіфікацыі на ўчастках ніжэй за моду не бачныя і завышаюць «чыстую» долю; галасы, перанесеныя ад іншых, улічваюцца з множнікам 1/(1 − «чыстая» доля); гэта ацэнка, а не падлік.",
    ),
    # integers (Kobak et al.)
    "Stations with ballots > 0, registered ≥ 100, turnout ≤ 99 % and leader's share ≤ 99 % are used; turnout = issued/registered when 'issued' is given, else ballots/registered; the leader's share = leader's votes / ballots.": (
        "Используются участки, где бюллетеней > 0, зарегистрировано ≥ 100, явка ≤ 99 % и доля лидера ≤ 99 %; явка = выданные/зарегистрированные, если выданные бюллетени указаны, иначе бюллетени/зарегистрированные; доля лидера = голоса лидера / бюллетени.",
        "Выкарыстоўваюцца ўчасткі, дзе бюлетэняў > 0, зарэгістравана ≥ 100, яўка ≤ 99 % і доля лідара ≤ 99 %; яўка = выдадзеныя/зарэгістраваныя, калі выдадзеныя бюлетэні пазначаны, інакш бюлетэні/зарэгістраваныя; доля лідара = галасы лідара / бюлетэні.",
    ),
    "Without rewriting, each station's counts are binomial around its observed rates, so resampling leader ~ Bin(ballots, share) and voters ~ Bin(registered, turnout) gives the number of stations on an integer percentage by chance.": (
        "Без переписывания протоколов числа каждого участка распределены биномиально вокруг наблюдаемых долей, поэтому повторные выборки лидер ~ Bin(бюллетени, доля) и избиратели ~ Bin(зарегистрированные, явка) дают число участков на целом проценте, ожидаемое случайно.",
        "Без перапісвання пратаколаў лікі кожнага ўчастка размеркаваны бінаміяльна вакол назіраных доляў, таму паўторныя выбаркі лідар ~ Bin(бюлетэні, доля) і выбаршчыкі ~ Bin(зарэгістраваныя, яўка) даюць колькасць участкаў на цэлым працэнце, чаканую выпадкова.",
    ),
    "Detected when the p-value (share of 1000 resamples with at least the observed count) is below 0.005.": (
        "Сигнал — когда p-значение (доля из 1000 повторных выборок, где участков не меньше наблюдаемого) ниже 0,005.",
        "Сігнал — калі p-значэнне (доля з 1000 паўторных выбарак, дзе ўчасткаў не менш за назіраную колькасць) ніжэй за 0,005.",
    ),
    "Only fraud that writes round percentages leaves this fingerprint; stuffing and carousels do not.": (
        "Такой след оставляют только фальсификации, при которых пишут круглые проценты; вбросы и «карусели» его не оставляют.",
        "Такі след пакідаюць толькі фальсіфікацыі, пры якіх пішуць круглыя працэнты; укіды і «каруселі» яго не пакідаюць.",
    ),
    "Tiny stations are excluded because their percentages are coarse; the anomaly counts stations, not votes.": (
        "Очень маленькие участки исключены: их проценты слишком грубы; аномалия считает участки, а не голоса.",
        "Вельмі малыя ўчасткі выключаны: іх працэнты занадта грубыя; анамалія лічыць участкі, а не галасы.",
    ),
    # second digit (2BL)
    "Per-station counts of at least 10 votes are used (they have a second digit).": (
        "Используются числа голосов на участке от 10 и больше (у них есть вторая цифра).",
        "Выкарыстоўваюцца колькасці галасоў на ўчастку ад 10 і больш (у іх ёсць другая лічба).",
    ),
    "Honest counts follow the second-digit Benford law (2BL) approximately; a chi-square test with 9 degrees of freedom measures the departure; a candidate is flagged when p < 0.001 with at least 100 counts.": (
        "Честные подсчёты приблизительно следуют закону Бенфорда для второй цифры (2BL); отклонение измеряется критерием хи-квадрат с 9 степенями свободы; кандидат отмечается, когда p < 0,001 и чисел не меньше 100.",
        "Сумленныя падлікі прыблізна адпавядаюць закону Бенфарда для другой лічбы (2BL); адхіленне вымяраецца крытэрыем хі-квадрат з 9 ступенямі свабоды; кандыдат адзначаецца, калі p < 0,001 і лікаў не менш за 100.",
    ),
    "2BL is a weak and disputed test: honest counts from stations of similar size can depart from it, and many kinds of fraud leave it intact (Deckert, Myagkov & Ordeshook 2011). A departure is a question, not proof; agreement proves nothing.": (
        "2BL — слабый и спорный тест: честные подсчёты участков похожего размера могут от него отклоняться, а многие виды фальсификаций его не нарушают (Деккерт, Мягков и Ордешук, 2011). Отклонение — повод для вопроса, а не доказательство; согласие ничего не доказывает.",
        "2BL — слабы і спрэчны тэст: сумленныя падлікі ўчасткаў падобнага памеру могуць ад яго адхіляцца, а многія віды фальсіфікацый яго не парушаюць (Дэкерт, Мягкоў і Ордэшук, 2011). Адхіленне — падстава для пытання, а не доказ; супадзенне нічога не даказвае.",
    ),
    "With many stations the test detects tiny, harmless departures; read the mean second digit (4.187 under 2BL) alongside the p-value.": (
        "При большом числе участков тест замечает крошечные безобидные отклонения; смотрите вместе с p-значением на среднюю вторую цифру (4,187 по 2BL).",
        "Пры вялікай колькасці ўчасткаў тэст заўважае малюсенькія бяскрыўдныя адхіленні; глядзіце разам з p-значэннем на сярэднюю другую лічбу (4,187 паводле 2BL).",
    ),
    # klimek
    "Without fraud, turnout and the leader's share are each roughly normal across stations and independent of each other; their means and widths are estimated from the low side of the data (10th and 30th percentiles), which stuffing does not reach.": (
        "Без фальсификаций явка и доля лидера по участкам распределены примерно нормально и независимо друг от друга; их средние и разбросы оцениваются по нижней части данных (10-й и 30-й процентили), до которой вбросы не доходят.",
        "Без фальсіфікацый яўка і доля лідара па ўчастках размеркаваны прыкладна нармальна і незалежна адна ад адной; іх сярэднія і разкіды ацэньваюцца па ніжняй частцы даных (10-ы і 30-ы працэнтылі), да якой укіды не даходзяць.",
    ),
    "Fraud follows the model of Klimek et al. (2012): incremental stuffing at a share f_incremental of stations, extreme stuffing at a share f_extreme, alpha sets how many votes are moved from the other candidates as well as added.": (
        "Фальсификации описываются моделью Климека и др. (2012): постепенный вброс на доле участков f_incremental, предельный вброс на доле f_extreme; alpha задаёт, сколько голосов не только добавлено, но и перенесено от других кандидатов.",
        "Фальсіфікацыі апісваюцца мадэллю Клімека і інш. (2012): паступовы ўкід на долі ўчасткаў f_incremental, гранічны ўкід на долі f_extreme; alpha задае, колькі галасоў не толькі дададзена, але і перанесена ад іншых кандыдатаў.",
    ),
    "Flagged when f_incremental + f_extreme ≥ 0.05 and the fraud model lowers the Poisson deviance by at least 100 against the same model without fraud (calibrated on simulated clean elections of 1,000 stations and more).": (
        "Сигнал — когда f_incremental + f_extreme ≥ 0,05 и модель с фальсификациями снижает пуассоновский девианс не меньше чем на 100 по сравнению с той же моделью без фальсификаций (откалибровано на смоделированных честных выборах от 1000 участков).",
        "Сігнал — калі f_incremental + f_extreme ≥ 0,05 і мадэль з фальсіфікацыямі зніжае пуасонаўскі дэвіянс не менш чым на 100 у параўнанні з той жа мадэллю без фальсіфікацый (адкалібравана на змадэляваных сумленных выбарах ад 1000 участкаў).",
    ),
    "Regions with different habits make the honest blob wider or multi-modal; the model then fits some of that as fraud. Look at the fingerprint plot, and at regions.": (
        "Регионы с разными привычками делают «честное» облако шире или многовершинным; тогда модель принимает часть этого за фальсификации. Смотрите на график «отпечатка» и на регионы.",
        "Рэгіёны з рознымі звычкамі робяць «сумленнае» воблака шырэйшым або шматвяршынным; тады мадэль прымае частку гэтага за фальсіфікацыі. Глядзіце на графік «адбітка» і на рэгіёны.",
    ),
    "The fractions are model parameters (how many stations the model needs to stuff to look like the data), not a count of stuffed stations; fraud that only moves votes without raising turnout is seen only through alpha.": (
        "Доли — параметры модели (сколько участков модели нужно «вбросить», чтобы походить на данные), а не число участков со вбросом; фальсификации, которые только переносят голоса, не поднимая явку, видны лишь через alpha.",
        "Долі — параметры мадэлі (колькі ўчасткаў мадэлі трэба «ўкінуць», каб быць падобнай да даных), а не колькасць участкаў з укідам; фальсіфікацыі, якія толькі пераносяць галасы, не падымаючы яўку, бачныя толькі праз alpha.",
    ),
    # regions
    "Stations of one region are alike: a station's turnout and leader's share are compared with the median of its region, scaled by 1.4826 × the median absolute deviation.": (
        "Участки одного региона похожи: явка и доля лидера на участке сравниваются с медианой его региона в масштабе 1,4826 × медианное абсолютное отклонение.",
        "Участкі аднаго рэгіёна падобныя: яўка і доля лідара на ўчастку параўноўваюцца з медыянай яго рэгіёна ў маштабе 1,4826 × медыяннае абсалютнае адхіленне.",
    ),
    "A station or region is an outlier when |z| > 3.5 for turnout or the leader's share; stations with fewer than 100 registered voters are not judged; the election is flagged when more than 1% of judged stations are outliers.": (
        "Участок или регион — выброс, когда |z| > 3,5 по явке или по доле лидера; участки, где зарегистрировано меньше 100 избирателей, не оцениваются; сигнал — когда выбросов больше 1 % оценённых участков.",
        "Участак або рэгіён — выкід, калі |z| > 3,5 па яўцы або па долі лідара; участкі, дзе зарэгістравана менш за 100 выбаршчыкаў, не ацэньваюцца; сігнал — калі выкідаў больш за 1 % ацэненых участкаў.",
    ),
    "Outliers are stations to look at (closed institutions, hospitals, military units vote differently), not proof of fraud.": (
        "Выбросы — участки, на которые стоит посмотреть (закрытые учреждения, больницы, воинские части голосуют иначе), а не доказательство фальсификаций.",
        "Выкіды — участкі, на якія варта паглядзець (закрытыя ўстановы, бальніцы, вайсковыя часткі галасуюць інакш), а не доказ фальсіфікацый.",
    ),
    "If fraud is everywhere, it becomes the median and no station stands out; with few regions, regional z-scores are rough.": (
        "Если фальсификации повсюду, они становятся медианой и ни один участок не выделяется; при малом числе регионов региональные z-оценки грубы.",
        "Калі фальсіфікацыі паўсюль, яны становяцца медыянай і ніводзін участак не вылучаецца; пры малой колькасці рэгіёнаў рэгіянальныя z-ацэнкі грубыя.",
    ),
    # AuditMethodError messages
    "the integer test needs at least 10 stations with 100+ voters": (
        "тесту целых процентов нужно не меньше 10 участков со 100 и более избирателями",
        "тэсту цэлых працэнтаў трэба не менш за 10 участкаў са 100 і больш выбаршчыкамі",
    ),
    "the turnout estimate needs at least 10 stations with votes": (
        "оценке по явке нужно не меньше 10 участков с голосами",
        "ацэнцы па яўцы трэба не менш за 10 участкаў з галасамі",
    ),
    "too few stations at or below the turnout mode": (
        "слишком мало участков с явкой не выше моды",
        "занадта мала ўчасткаў з яўкай не вышэй за моду",
    ),
    "the turnout/share fingerprint needs at least 50 stations with votes": (
        "«отпечатку» явки и доли нужно не меньше 50 участков с голосами",
        "«адбітку» яўкі і долі трэба не менш за 50 участкаў з галасамі",
    ),
}

_MONTHS = {
    "en": [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ],
    "ru": [
        "января",
        "февраля",
        "марта",
        "апреля",
        "мая",
        "июня",
        "июля",
        "августа",
        "сентября",
        "октября",
        "ноября",
        "декабря",
    ],
    "be": [
        "студзеня",
        "лютага",
        "сакавіка",
        "красавіка",
        "мая",
        "чэрвеня",
        "ліпеня",
        "жніўня",
        "верасня",
        "кастрычніка",
        "лістапада",
        "снежня",
    ],
}


_SUPERSCRIPT = str.maketrans("0123456789\u2212", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻")


def _index(language: str) -> int:
    if language not in LANGUAGES:
        raise ValueError(f"language must be one of {', '.join(LANGUAGES)}, not {language!r}")
    return LANGUAGES.index(language)


def key_label(key: str, language: str, **values: str) -> str:
    """A report key (or a reason) as a reader names it; an unknown key stays as it is."""
    words = KEYS.get(key) or REASONS.get(key)
    if words is None:
        return key
    text = words[_index(language)]
    return text.format(**values) if values else text


def phrase(key: str, language: str, **values: str) -> str:
    text = PHRASES[key][_index(language)]
    return text.format(**values) if values else text


def sentence(text: str, language: str) -> str:
    """A method's sentence in ``language`` (English as written; unknown ones as written)."""
    index = _index(language)
    if index == 0 or text not in TEXTS:
        return text
    return TEXTS[text][index - 1]


def number(value: float | int, language: str) -> str:
    """Digits grouped by thin no-break spaces, a decimal comma in Russian and Belarusian,
    a minus sign; floats to 4 significant digits (as the report always showed them)."""
    if isinstance(value, float) and not math.isfinite(value):
        return "—"
    text = f"{value:,.4g}" if isinstance(value, float) else f"{value:,}"
    decimal = "." if _index(language) == 0 else ","
    text = text.replace(",", "\u202f").replace(".", decimal).replace("-", "\u2212")
    # 1.234e+05 style exponents (tiny p-values): "1,234 × 10^-5" reads better everywhere.
    match = re.fullmatch(r"([\u2212]?[\d\u202f.,]+)e([+\u2212])0*(\d+)", text)
    if match:
        mantissa, sign, power = match.groups()
        power = ("\u2212" if sign == "\u2212" else "") + power
        text = f"{mantissa} × 10{power.translate(_SUPERSCRIPT)}"
    return text


def localized_date(moment: datetime, language: str) -> str:
    """'6 December 2026, 20:17 UTC' / '6 декабря 2026 г., 20:17 UTC' (the report's time is UTC)."""
    month = _MONTHS[language][moment.month - 1]
    year = f"{moment.year}" if language == "en" else f"{moment.year} г."
    return f"{moment.day} {month} {year}, {moment:%H:%M} UTC"
