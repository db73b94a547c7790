BBBBBBB BBBBBBBBBBBBBBBBB
BBBB BBBB
BBBBB BBBBB gettext(u'Start an audit') BBBBBBBB
BBBBB BBBBBBB
XXXX gettext(u'Start an audit') XXXXX
XX XXXXXXXXXXXXX gettext(u'Files are UTF-8 CSV with a header row (Cyrillic names are fine), or Excel .xlsx for the official protocol. A file with a bad row is rejected with its line and column, unless you choose to leave bad rows out.') XXXX
XXXXX XXXXXXXXXXXXX XXXXXXXXXXXXXXXXXXXXXXXXXXXXX XXXXXXXXXXX XXXXXX
  BBBBBBBBBB
  BBBBBBB BBBBBBBBBBBBBBBBBBBBBBBB
  XXXXXXX XXXXXXXXXXXXXX gettext(u'Upload and audit') XXXXXXXXX
XXXXXXX
XX XXXXXXXXXXXXX gettext(u'Only you see the audit until you publish its report.') XXXX
BBBBBBBB
