BBBBBBB BBBBBBBBBBBBBBBBB
BBBB BBBB
BBBBB BBBBB gettext(u'Election audits') BBBBBBBB
BBBBB BBBBBBB
XXXX gettext(u'Election audits') XXXXX
XX XXXXXXXXXXXXX gettext(u'Check an official election result: stations where witnessed votes prove the protocol false, and statistical fingerprints of fraud, in a report you can publish.') XXXX
BB BBBBBBBBBBBBBBBBBBBBB
  XXXXX XXXXXXXXXXXXXX XXXXXXBBB BBBBBBBBBBBXX gettext(u'Start an audit') XXXXXXXX
  XXXX gettext(u'My audits') XXXXX
  BB BBBB
    XXX XXXXXXXXXXXXXX
      BBB BBB BB BBBB
        XXX XXXXXXXXXXXXXXX XXXXXXBBB BBBBBBBBBBBBBB BBBBBBBBBBBBBXXXXXX
          XXXXXXXBB BBBBBBBBBBBBB X  gettext(u'published') BBBBB X FFFFFFFFFFFFFFFFFFFFFFFFFFFFXXXXXXXXXXXXX
      BBBBBB
    XXXXX
  BBBB
    XX XXXXXXXXXXXXX gettext(u'You have not started an audit yet.') XXXX
  BBBBB
BBBBB
XXXX gettext(u'Published reports') XXXXX
BB BBBBBBBBB
  XXX XXXXXXXXXXXXXX
    BBB BBB BB BBBBBBBBB
      XXX XXXXXXXXXXXXXXX XXXXXXBBB BBBBBBBBBBBBBB BBBBBBBBBBBBBXXXXXX
        BB BBBBBBBBBBBBBXXXXX XXXXXXXXXXXX XXXXXX gettext(u'simulated') XXXXXXXBBBBB
        XXXXXXX gettext(u'published %(date)s') SSSSSSSSS SSSSSSSSXXXXXXXXXXXXX
    BBBBBB
  XXXXX
BBBB
  XX XXXXXXXXXXXXX gettext(u'No report has been published on this node yet.') XXXX
BBBBB
BBBBBBBB
