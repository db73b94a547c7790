"""Why an event was refused or held, in the reader's language.

A stored reason is ``rule|field|message``: the rule's code, the field it concerns and
the rule's sentence in English. Stored reasons stay exactly as the rules wrote them:
they are evidence, every node writes the same ones, and rebuilding compares them. Pages
translate the sentence when shown: a fixed sentence listed in ``FIXED_MESSAGES`` through
gettext, and a sentence with values in it (a count, a name, a period) by the template
that wrote it, listed in ``PATTERN_MESSAGES``: the template read backwards gives the
values, and the translated template is filled with them. A sentence that is neither is
shown as written. ``tests/apps/store/test_reasons.py`` checks that every sentence a rule
can raise is a listed fixed sentence or a listed template.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Protocol

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

# Every fixed sentence of RuleViolation, ChainError, SchemaError, EventError and
# LedgerError, by the module that raises it (gettext_noop marks them for makemessages).
FIXED_MESSAGES = frozenset(
    (
        # apps/committees/kinds.py
        gettext_noop("only members of the committee may do this"),
        gettext_noop("this space is not a committee"),
        gettext_noop("this invitation code exists"),
        gettext_noop("this key already belongs to the committee"),
        gettext_noop("no such invitation in this committee"),
        gettext_noop("this invitation was already used"),
        gettext_noop("this pseudonym is taken in the committee"),
        gettext_noop("only a candidate can be vouched for"),
        gettext_noop("nobody can vouch for themselves"),
        gettext_noop("you already vouched for this candidate"),
        gettext_noop("this key is already known here"),
        gettext_noop("you can revoke only your own keys"),
        gettext_noop("revoke a key from another device of yours"),
        gettext_noop(
            "a key can revoke only a newer key of yours; an older one takes a revocation motion"
        ),
        # apps/committees/motions.py
        gettext_noop("only members and seated delegates of this body may do this"),
        gettext_noop("no such motion in this committee"),
        gettext_noop("must name a motion's applied close event"),
        gettext_noop("the motion named did not pass"),
        gettext_noop("the motion is closed"),
        gettext_noop("only the proposer amends a motion"),
        gettext_noop("rank distinct options of this motion"),
        gettext_noop("an STV ballot ranks one candidate per place"),
        gettext_noop("empty place in the ranking"),
        gettext_noop("the motion was amended since: read it again and vote"),
        gettext_noop("only the proposer closes a motion without a deadline"),
        gettext_noop("the result does not match the votes this log holds"),
        gettext_noop("you already hold a seat here"),
        gettext_noop("the electing committee is not a member of this body"),
        gettext_noop("a yes/no motion has no options"),
        gettext_noop("this method needs at least two options"),
        gettext_noop("delegates are elected by STV or approval"),
        gettext_noop("the committee has not joined a parent body yet"),
        gettext_noop("there must be more candidates than seats"),
        gettext_noop("only a candidate can be admitted"),
        gettext_noop("vote yes, no or abstain"),
        gettext_noop("approve distinct options of this motion"),
        gettext_noop("not that committee's recall of that delegate"),
        gettext_noop("no delegate sits here by that mandate for that committee"),
        gettext_noop("this mandate does not send you to this body"),
        gettext_noop("candidates must be members' or seated delegates' keys"),
        gettext_noop("STV is for electing several people"),
        gettext_noop("this key is not an active member's"),
        gettext_noop("a committee recalls its own delegates"),
        gettext_noop("this person is not a delegate of that election"),
        gettext_noop("a committee joins a council"),
        gettext_noop("the child's motion to join this body is not the one named"),
        gettext_noop("only the parent body's decisions are ratified here"),
        gettext_noop("endorse another committee's decision"),
        gettext_noop("the decision is not of that committee"),
        gettext_noop("this key has not equivocated in this committee"),
        gettext_noop("name an event of that member in this committee"),
        # apps/committees/rules/comments.py and text.py: discussion (event-v1 §15)
        gettext_noop("a comment names what it refers to in deps"),
        gettext_noop("name a motion, a post or an election of this committee"),
        gettext_noop("no such comment in this committee"),
        gettext_noop("the comment was withdrawn"),
        gettext_noop("a reply answers a comment of the same thread"),
        gettext_noop("the quote is not in the comment answered"),
        gettext_noop("a quote comes from the comment answered"),
        gettext_noop("only its author amends or withdraws a comment"),
        gettext_noop("nobody marks their own comment"),
        gettext_noop("write something: the text is empty"),
        gettext_noop("the text is too long"),
        gettext_noop("the text holds characters that reverse the direction of text"),
        gettext_noop("the text holds control characters"),
        # apps/elections/kinds.py
        gettext_noop("an election's first event cites nothing"),
        gettext_noop("an election event cites only events of its election"),
        # apps/fund/actions.py
        gettext_noop("this committee has no fund yet"),
        # apps/fund/kinds.py
        gettext_noop("this committee has no fund yet (fund.create)"),
        gettext_noop("this committee already has a fund"),
        gettext_noop("another payout has this reference"),
        gettext_noop("this is not a payout of this fund"),
        gettext_noop("this payout was not accepted"),
        gettext_noop("a report must cite the fund's rules"),
        gettext_noop(
            "the digest is not that of this fund's report for the period as this node holds it"
        ),
        gettext_noop("must be a real day like 2020-08-11"),
        gettext_noop("every treasurer must be an active member of the committee"),
        # apps/store/kinds.py
        gettext_noop("names the kind of space"),
        # apps/store/ingest.py
        gettext_noop("does not verify under author's key"),
        # apps/strike/kinds.py
        gettext_noop("no such workplace in this committee's registry; register it first"),
        gettext_noop("name at least one field to change"),
        # election/rules.py
        gettext_noop("only the election's creator may do this"),
        gettext_noop("only the election's trustees may do this"),
        gettext_noop("a key appears twice in the electorate"),
        gettext_noop("this trustee has dealt already"),
        gettext_noop("that trustee has not dealt"),
        gettext_noop("the electorate is empty"),
        gettext_noop("this is not the key the trustees' dealings give"),
        gettext_noop("this key is not in the electorate"),
        gettext_noop("the encrypted tally is not the sum of the counted ballots"),
        gettext_noop("this trustee has decrypted already"),
        gettext_noop("no ballot was counted: there is nothing to decrypt"),
        gettext_noop("only the creator or a trustee may publish the result"),
        gettext_noop("these are not the counts the partial decryptions give"),
        gettext_noop("these are not the seats the counts give"),
        gettext_noop("must be an object"),
        gettext_noop("the election is not open yet"),
        gettext_noop("the election is open"),
        gettext_noop("the election is closed"),
        gettext_noop("the election is decided"),
        gettext_noop("this space is not an election"),
        gettext_noop("the ballot is for another election"),
        gettext_noop("the election exists already"),
        gettext_noop("the election's space.create comes first"),
        gettext_noop("this key already has a vote"),
        gettext_noop("this ciphertext is part of another voter's ballot (a copied ballot)"),
        # election/spec.py
        gettext_noop("a party-list election asks one question"),
        gettext_noop("divisor, threshold and constituencies are for party lists"),
        gettext_noop("constituency names must differ"),
        gettext_noop("more winners than options"),
        gettext_noop("a threshold is at most 100 percent"),
        gettext_noop("each trustee needs a key of their own"),
        gettext_noop("option names must differ"),
        gettext_noop("need 0 <= min <= max <= the number of options"),
        gettext_noop("this election has no constituencies"),
        # events/envelope.py
        gettext_noop("must not be null"),
        gettext_noop("must be a 43-character base64url id"),
        gettext_noop("an event is a JSON object"),
        gettext_noop("only version 1 is understood"),
        gettext_noop("must be a base64url Ed25519 public key"),
        gettext_noop("must be an integer ≥ 1"),
        gettext_noop("must be null exactly when seq is 1"),
        gettext_noop("must be a list of event ids"),
        gettext_noop("must be sorted and without repeats"),
        gettext_noop("must look like 'area.action' in lower case"),
        gettext_noop("is null exactly for space.create"),
        gettext_noop("space.create is its author's first event (seq 1)"),
        gettext_noop("must be UTC like 2020-08-11T18:00:00Z"),
        gettext_noop("must be a JSON object"),
        gettext_noop("must be a 86-character base64url signature"),
        gettext_noop("is not a real date and time"),
        # events/order.py
        gettext_noop("the previous event is not held yet"),
        gettext_noop("prev is another author's event"),
        gettext_noop("prev belongs to another space"),
        # events/schema.py
        gettext_noop("must be text"),
        gettext_noop("must not be empty"),
        gettext_noop("has the wrong form"),
        gettext_noop("must be a whole number"),
        gettext_noop("must be true or false"),
        gettext_noop("must be an event id"),
        gettext_noop("must be a list"),
        gettext_noop("must not repeat an item"),
        gettext_noop("is required"),
        gettext_noop("is not a field of this kind"),
        # solidarity/ledger.py
        gettext_noop("must be more than zero"),
        gettext_noop("an entry needs at least two postings"),
        gettext_noop("only the treasurers named in the fund's rules may do this"),
        gettext_noop("must be a positive whole number"),
        gettext_noop("this treasurer has already approved this payout"),
        gettext_noop("this payout already has its approvals"),
        gettext_noop("payouts are recorded as payouts and take effect after k treasurer approvals"),
        gettext_noop("must be debit or credit"),
        gettext_noop(
            "must be a positive whole number of minor units; to reverse an entry, post the opposite side"
        ),
        gettext_noop("name at least one treasurer"),
        gettext_noop("this payout is already recorded"),
        gettext_noop("no such payout in this fund"),
        # apps/store/replay.py, context.py and committees/kinds.py: held and unverified events
        gettext_noop("the author signed two events with one seq in this space"),
        gettext_noop("it cites an event of a space this node does not hold"),
        gettext_noop("it conflicts with a concurrent decision that comes before it in the order"),
        # election/spec.py, election/rules.py, apps/elections/calls.py and actions.py:
        # the committee's call of an election (format election-v1 §11)
        gettext_noop(
            "a committee's election names the committee, its motion and the motion's close"
        ),
        gettext_noop("an election's creation cites only the close of the motion that called it"),
        gettext_noop(
            "an election event follows its election's creation through events the rules judged"
        ),
        gettext_noop("the close named is not of the committee and motion named"),
        gettext_noop("the motion named did not call an election"),
        gettext_noop(
            "only the member who closed the motion that called the election may create it"
        ),
        gettext_noop(
            "a key of the electorate was no member's of the committee when it called the election"
        ),
        gettext_noop("name the committee's passed motion that called the election"),
        gettext_noop("name a passed election motion of this committee"),
        gettext_noop("a motion calls an election of its own committee"),
        # election/rules.py: the one stage word not already a sentence above
        gettext_noop("the election is not created"),
        # events/envelope.py, events/registry.py, events/schema.py, apps/store/ingest.py,
        # apps/store/retention.py: redacted events and dropped spaces (event-v1 §16)
        gettext_noop("must hold exactly id, removed and rule"),
        gettext_noop("must name the removed fields, sorted"),
        gettext_noop("a removed field is still in the body"),
        gettext_noop("this kind is never redacted"),
        gettext_noop("was removed by a redaction"),
        gettext_noop("this node dropped the space"),
        gettext_noop("it waits for an event that names it and a rule that covers it"),
        gettext_noop("events of this kind are never redacted"),
        gettext_noop("events like it are never redacted"),
        gettext_noop("it removes fields that are not content"),
        gettext_noop("it keeps content a redaction removes"),
        gettext_noop("no retention rule of its space covers it"),
        gettext_noop("no later event of its author vouches for its time"),
        gettext_noop("its space's retention rule does not cover it yet"),
        gettext_noop("it differs from the event this node holds"),
        gettext_noop("too many redacted forms wait"),
        gettext_noop("the event that names it in prev has another author, space or seq"),
        # apps/strike/ballots.py: secret strike ballots
        gettext_noop("no such workplace in this committee's registry"),
        gettext_noop("cite the election in deps"),
        gettext_noop("this node holds no election of this committee called by its motion"),
        gettext_noop("only the election's creator makes it a strike ballot"),
        gettext_noop("a strike ballot is declared before its election opens"),
        gettext_noop("a strike ballot is one question with two options, yes then no, one mark"),
        gettext_noop("this election is a strike ballot already"),
        gettext_noop("no such strike ballot in this committee"),
        gettext_noop("this is not the ballot's election"),
        gettext_noop("the ballot was called for another workplace"),
        gettext_noop("this ballot's result is applied already"),
        gettext_noop("this node holds no such verified election result"),
        gettext_noop("cite the election's result in deps"),
        # pledge/rules.py, pledge/spec.py, apps/elections/pledges.py: secret strike pledges
        gettext_noop("this node holds no such verified pledge result"),
        gettext_noop("the pledge's verified result did not reach its target"),
        gettext_noop("the pledge belongs to another committee"),
        gettext_noop("the pledge names no strike call"),
        gettext_noop("cite the pledge's result in deps"),
        gettext_noop(
            "the pledge was opened or answered by keys that are not this committee's members"
        ),
        gettext_noop("the strike call is not an open motion of this committee"),
        gettext_noop("a member of this committee has more than one pledge in it"),
        gettext_noop("a pledge's creation cites no other event"),
        gettext_noop("only the pledge's members may pledge"),
        gettext_noop("this is not the total the partial decryptions give"),
        gettext_noop("the pledge's space.create comes first"),
        gettext_noop("this space is not a pledge"),
        gettext_noop("the pledge exists already"),
        gettext_noop("a committee's pledge names the committee and its strike call"),
        gettext_noop("a workplace of the registry belongs to a committee's pledge"),
        gettext_noop("state the workers needed, or a percent of the workforce, not both"),
        gettext_noop("state the workers needed, or a percent and the workforce"),
        gettext_noop("not a real date"),
        gettext_noop("a percent is above 0 and at most 100"),
        # apps/elections/pledge_general.py, pledge_actions.py: federation-wide pledges
        gettext_noop("the motion is not a strike call with a number of plants"),
        gettext_noop("the strike call is not an open motion of this council"),
        gettext_noop("cite every counted plant's pledge.strike in deps"),
        gettext_noop("not a strike call passed by a pledge's verified result on this node"),
        gettext_noop("the pledge's committee is not a member committee of this council"),
        gettext_noop("two strike calls of one committee count as one plant"),
        gettext_noop("no member committee's pledge has reached its target yet"),
        # apps/committees/rules/motion_targets.py
        gettext_noop("only a council's strike call counts plants"),
        gettext_noop("a motion to publish an audit is decided yes or no"),
        # appeals/__init__.py (apps/committees/rules/appeals.py raises them)
        gettext_noop("an appeal speaks to police and army conscripts, workers or the public"),
        gettext_noop("the mirror of an appeal is an http:// or https:// address with no spaces"),
        # pledge/reveal.py, pledge/rules.py: a pledge that reveals only whether it crossed
        gettext_noop("this pledge reveals its total: it has no blinding rounds"),
        gettext_noop(
            "this pledge reveals only whether its target was reached: its total is never decrypted"
        ),
        gettext_noop("this pledge reveals only whether its target was reached, not its total"),
        gettext_noop("this pledge's result states its total"),
        gettext_noop("the final list is being decrypted: no more blinding rounds"),
        gettext_noop("this trustee has blinded already"),
        gettext_noop("the last part, and only it, carries the proof's c and s"),
        gettext_noop(
            "the proof of shuffle does not verify: the round's output is not its blinded list "
            "re-encrypted and reordered"
        ),
        # apps/planning/kinds.py and actions.py (participatory budgets)
        gettext_noop("this is not a participatory budget of this committee"),
        gettext_noop("the budget must be a positive amount"),
        gettext_noop(
            "proposals must close after the budget opens, and voting after proposals close"
        ),
        gettext_noop("proposals for this budget are closed"),
        gettext_noop("a project may not cost more than the whole budget"),
        gettext_noop("voting opens when proposals close"),
        gettext_noop("voting on this budget is closed"),
        gettext_noop("this is not a project of this budget"),
        gettext_noop("this budget is decided already"),
        gettext_noop("voting on this budget is still open"),
        gettext_noop("this budget is not decided yet"),
        gettext_noop("this budget is not paid from the fund"),
        gettext_noop(
            "a points budget says how many points each voter gives (1 to 100); "
            "an approval budget has no points"
        ),
        gettext_noop("this budget takes points ballots: give points to projects (body.points)"),
        gettext_noop(
            "this budget takes approval ballots: list the approved projects (body.approve)"
        ),
        gettext_noop("points given to a project are a whole number, at least 1"),
        gettext_noop("not the verified result of this survey's election on this node"),
        gettext_noop("the survey's committee is not a member committee of this council"),
        gettext_noop("this survey's totals are published here already"),
        gettext_noop(
            "a survey decrypts only each item's total (election totals), never a count per option"
        ),
        gettext_noop("the totals are not those the survey's decrypted result gives"),
        # election/spec.py: a survey election (totals)
        gettext_noop(
            "a totals-only survey is a plurality election whose options are whole numbers 1 to 999999"
        ),
    )
)

# Every sentence with values of those refusals, as the template the rule fills
# (``"... %(name)s ..." % {...}``), by the module that raises it.
PATTERN_MESSAGES = frozenset(
    (
        # apps/planning/kinds.py
        gettext_noop("this budget has %(limit)s projects already"),
        gettext_noop("the points add up to more than the %(points)s each voter has"),
        # crypto/threshold.py: a partial decryption of other ciphertexts than the tally (a
        # survey's per-option counts, say) has the wrong number of factors
        gettext_noop("expected %(n)s decryption factors"),
        # apps/committees/rules/motions.py
        gettext_noop("a %(kind)s motion needs target.%(field)s"),
        gettext_noop("a %(kind)s motion is decided yes or no"),
        # appeals/__init__.py (apps/committees/rules/appeals.py raises them)
        gettext_noop("an appeal's title must fit a leaflet: at most %(chars)d characters"),
        gettext_noop(
            "an appeal's text must fit a leaflet: at most %(chars)d characters in %(lines)d lines"
        ),
        gettext_noop(
            "without a mirror address the QR code carries the appeal itself: "
            "its title and text must fit in %(bytes)d bytes"
        ),
        # apps/fund/kinds.py
        gettext_noop(
            "the period %(period)s is closed by a published report; "
            "date this in a period with no report"
        ),
        gettext_noop("the period %(period)s overlaps the published report for %(published)s"),
        # apps/store/context.py
        gettext_noop("%(event)s must be listed in deps"),
        gettext_noop("%(event)s is not held"),
        # apps/store/kinds.py, events/schema.py, solidarity/ledger.py
        gettext_noop("must be one of %(values)s"),
        # decisions/ballot.py
        gettext_noop("this motion takes a '%(field)s' vote"),
        # election/rules.py
        gettext_noop("the election is %(stage)s"),
        gettext_noop("you are trustee %(index)s"),
        gettext_noop(
            "trustee %(by)s says trustee %(dealer)s dealt a bad share (%(why)s); "
            "create the election again without that trustee"
        ),
        gettext_noop("%(counted)s voters' ballots are counted, not %(given)s"),
        gettext_noop("%(have)d of the %(needed)s partial decryptions needed"),
        # election/spec.py
        gettext_noop("name one of this election's constituencies, not %(name)r"),
        gettext_noop("at most %(n)d options over all questions"),
        gettext_noop("the threshold is at most the %(n)d trustees"),
        gettext_noop("a %(method)s ballot marks at most one option (max 1)"),
        # events/envelope.py
        gettext_noop("at most %(n)d dependencies"),
        gettext_noop("missing %(missing)s; unknown %(unknown)s"),
        gettext_noop("missing %(missing)s"),
        gettext_noop("unknown %(unknown)s"),
        # events/order.py
        gettext_noop("prev has seq %(seq)s, expected %(expected)s"),
        # events/schema.py
        gettext_noop("shorter than %(n)d"),
        gettext_noop("longer than %(n)d characters"),
        gettext_noop("must be at least %(n)s"),
        gettext_noop("must be at most %(n)s"),
        gettext_noop("needs at least %(n)d items"),
        gettext_noop("at most %(n)d items"),
        # solidarity/ledger.py
        gettext_noop(
            "one entry may not mix currencies (%(currencies)s); record an exchange as two entries"
        ),
        gettext_noop("debits (%(debits)s) must equal credits (%(credits)s)"),
        gettext_noop("k must be between 1 and the number of treasurers (%(n)d)"),
        gettext_noop("the fund's %(source)s holds %(held)s, less than %(amount)s"),
        # apps/strike/ballots.py
        gettext_noop("the ballot asked about striking from %(day)s"),
        gettext_noop("the verified result counts %(yes)d yes and %(no)d no"),
        gettext_noop("%(cast)d votes cast of the %(quorum)d the quorum needs"),
        gettext_noop("%(yes)d yes and %(no)d no: not a majority of the votes cast for striking"),
        # pledge/rules.py
        gettext_noop("%(n)d plants have reached their targets, the call needs %(needed)d"),
        gettext_noop("the pledge is %(stage)s"),
        gettext_noop("pledging closed at %(deadline)s"),
        gettext_noop("the pledge closes at its deadline, %(deadline)s"),
        gettext_noop("%(total)d pledges of the %(needed)d needed: the target is %(verdict)s"),
        # pledge/spec.py, pledge/reveal.py, pledge/rules.py: a crossed-only pledge
        gettext_noop(
            "a pledge that reveals only whether its target was reached needs at most "
            "%(max)d workers"
        ),
        gettext_noop("this is round %(round)d"),
        gettext_noop("a round of this pledge has %(parts)d parts"),
        gettext_noop("part %(part)d of this round comes next"),
        gettext_noop("part %(part)d of this decryption comes next"),
        gettext_noop("this part holds %(n)d elements"),
        gettext_noop("element %(i)d is not the round's input raised to one exponent"),
        gettext_noop(
            "%(have)d of the %(needed)d blinding rounds are done: decrypting comes after them"
        ),
        gettext_noop("the decryptions of the blinded list show the target was %(verdict)s"),
    )
)

_PLACEHOLDER = re.compile(r"%\((\w+)\)([sdr])")


def _pattern(template: str) -> re.Pattern[str]:
    """The template read backwards: each ``%(name)s`` or ``%(name)r`` a non-greedy
    named group, each ``%(name)d`` a number, the rest literal, anchored at both ends."""
    parts, end = [], 0
    for placeholder in _PLACEHOLDER.finditer(template):
        parts.append(re.escape(template[end : placeholder.start()]))
        name, conversion = placeholder.groups()
        parts.append(f"(?P<{name}>-?\\d+)" if conversion == "d" else f"(?P<{name}>.+?)")
        end = placeholder.end()
    parts.append(re.escape(template[end:]))
    return re.compile("".join(parts), re.DOTALL)


def _literal_length(template: str) -> int:
    return len(_PLACEHOLDER.sub("", template))


# Longest literal text first: when two templates match a sentence, the more specific wins.
_PATTERNS = tuple(
    (template, _pattern(template))
    for template in sorted(PATTERN_MESSAGES, key=lambda t: (-_literal_length(t), t))
)


def matching_templates(message: str) -> list[str]:
    """Every listed template that could have written this sentence, the most specific first."""
    return [template for template, pattern in _PATTERNS if pattern.fullmatch(message)]


def _fill(template: str, values: dict[str, str]) -> str:
    """The template with the values read from a sentence put back as written."""
    return _PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), template)


class _Refusal(Protocol):
    message: str


@dataclass(frozen=True, slots=True)
class Reason:
    """A stored reason for people: the sentence (translated where known) and, for the
    curious, the field and the rule's code as the log keeps them."""

    message: str
    field: str = ""
    rule: str = ""

    def __str__(self) -> str:
        if not self.rule:
            return self.message
        return f"{self.field}: {self.message} [{self.rule}]"


def message_text(message: str) -> str:
    """A rule's sentence in the reader's language: a fixed one by its translation, one
    with values by its template's translation with the values put back; else as written."""
    if message in FIXED_MESSAGES:
        return _(message)
    for template, pattern in _PATTERNS:
        match = pattern.fullmatch(message)
        if match is not None:
            return _fill(_(template), match.groupdict())
    return message


def refusal_text(refusal: _Refusal) -> str:
    """What to tell the member whose action a rule refused (RuleViolation, LedgerError)."""
    return message_text(refusal.message)


def explain(reason: str) -> Reason | None:
    """A stored reason (``rule|field|message``), for a page. What a pending event
    waits for is not a reason: it is kept in ``MissingDependency``."""
    if not reason:
        return None
    if reason.count("|") < 2:
        return Reason(message_text(reason))
    rule, field, message = reason.split("|", 2)
    # A broken chain is stored with its field in front: "prev: the previous event ..."
    message = message.removeprefix(f"{field}: ")
    return Reason(message_text(message), field, rule)
