"""Date and number formats for Belarusian, which Django ships without.

Without them Belarusian pages fall back to the English defaults ("Aug. 11,
2020, 6 p.m.", 08/11/2020). Dates are numeric, as on Belarusian documents and
tickets: Django's Belarusian month names mix cases and the classical
orthography ("сакавік" for the genitive, "верасьня"), so spelling months out
would read wrongly.
"""

DATE_FORMAT = "d.m.Y"
TIME_FORMAT = "H:i"
DATETIME_FORMAT = "d.m.Y H:i"
YEAR_MONTH_FORMAT = "m.Y"
MONTH_DAY_FORMAT = "d.m"
SHORT_DATE_FORMAT = "d.m.Y"
SHORT_DATETIME_FORMAT = "d.m.Y H:i"
FIRST_DAY_OF_WEEK = 1  # Monday

DATE_INPUT_FORMATS = [
    "%d.%m.%Y",  # '11.08.2020'
    "%d.%m.%y",  # '11.08.20'
    "%Y-%m-%d",  # '2020-08-11'
]
DATETIME_INPUT_FORMATS = [
    "%d.%m.%Y %H:%M:%S",
    "%d.%m.%Y %H:%M",
    "%d.%m.%y %H:%M",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
]
DECIMAL_SEPARATOR = ","
THOUSAND_SEPARATOR = "\xa0"  # non-breaking space
NUMBER_GROUPING = 3
