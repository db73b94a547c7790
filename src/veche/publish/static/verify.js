/*
 * The mirror's check in the browser (docs/formats/mirror-v1.md §8), for readers without
 * the veche command. It reads mirror-data.js (a browser opening the folder from file://
 * may not read the folder's other files), and with libsodium.js checks every event's id
 * (BLAKE2b-256) and Ed25519 signature, works out each committee's members from the
 * events alone, checks that every page links only present events of the committees it
 * names signed by their members, and recomputes the strike totals and each committee's
 * public decisions. Then it reads the pages themselves (fetch() over http(s); from
 * file://, the files of the folder the reader chooses) and compares every marked figure
 * (<data data-fact=KEY value=V>TEXT</data>) of the strike, committee and fund pages with
 * the figure it derived from the signed events: V must be it and TEXT must be it as the
 * page's language writes it. Pages whose figures it cannot derive (elections, audits,
 * indexes) it lists as checked by signature only. `veche publish verify DIR` does more:
 * it compares every page byte for byte.
 */
(function () {
  "use strict";

  var OUT = { warning_strike: 1, go_slow: 1, partial: 1, full_strike: 1, lockout: 1 };
  var PUBLIC = { demands: 1, endorsement: 1, ratification: 1, appeal: 1 };

  function b64(sodium, bytes) {
    return sodium.to_base64(bytes, sodium.base64_variants.URLSAFE_NO_PADDING);
  }

  function unb64(sodium, text) {
    return sodium.from_base64(text, sodium.base64_variants.URLSAFE_NO_PADDING);
  }

  function readEvents(sodium, texts, problems) {
    var events = {};
    Object.keys(texts).forEach(function (id) {
      var text = texts[id];
      var bytes = sodium.from_string(text);
      if (b64(sodium, sodium.crypto_generichash(32, bytes, null)) !== id) {
        problems.push("event " + id + ": its bytes do not hash to its id");
        return;
      }
      var event;
      try {
        event = JSON.parse(text);
        var cut = text.lastIndexOf(',"sig":"');
        var message = text.slice(0, cut) + text.slice(cut + 8 + 86 + 1);
        var ok = sodium.crypto_sign_verify_detached(
          unb64(sodium, event.sig), sodium.from_string(message), unb64(sodium, event.author));
        if (!ok) throw new Error("bad signature");
      } catch (error) {
        problems.push("event " + id + ": not a valid signed event (" + error.message + ")");
        return;
      }
      event.id = id;
      event.spaceId = event.space === null ? id : event.space;
      events[id] = event;
    });
    return events;
  }

  // BLAKE2b with a personalisation (RFC 7693 §2.5), which libsodium.js exposes only for
  // an empty message: the invitation hash needs it (apps/committees/rules/invitations.py).
  var MASK = (BigInt(1) << BigInt(64)) - BigInt(1);
  var IV = ["6a09e667f3bcc908", "bb67ae8584caa73b", "3c6ef372fe94f82b", "a54ff53a5f1d36f1",
    "510e527fade682d1", "9b05688c2b3e6c1f", "1f83d9abfb41bd6b", "5be0cd19137e2179"]
    .map(function (x) { return BigInt("0x" + x); });
  var SIGMA = [
    [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15],
    [14, 10, 4, 8, 9, 15, 13, 6, 1, 12, 0, 2, 11, 7, 5, 3],
    [11, 8, 12, 0, 5, 2, 15, 13, 10, 14, 3, 6, 7, 1, 9, 4],
    [7, 9, 3, 1, 13, 12, 11, 14, 2, 6, 5, 10, 4, 0, 15, 8],
    [9, 0, 5, 7, 2, 4, 10, 15, 14, 1, 11, 12, 6, 8, 3, 13],
    [2, 12, 6, 10, 0, 11, 8, 3, 4, 13, 7, 5, 15, 14, 1, 9],
    [12, 5, 1, 15, 14, 13, 4, 10, 0, 7, 6, 3, 9, 2, 8, 11],
    [13, 11, 7, 14, 12, 1, 3, 9, 5, 0, 15, 4, 8, 6, 2, 10],
    [6, 15, 14, 9, 11, 3, 0, 8, 12, 2, 13, 7, 1, 4, 10, 5],
    [10, 2, 8, 4, 7, 6, 1, 5, 15, 11, 9, 14, 3, 12, 13, 0]];

  function le64(bytes, at) {
    var x = BigInt(0);
    for (var i = 7; i >= 0; i -= 1) x = (x << BigInt(8)) | BigInt(bytes[at + i] || 0);
    return x;
  }

  function rotr(x, n) {
    return ((x >> BigInt(n)) | (x << BigInt(64 - n))) & MASK;
  }

  function compress(h, block, t, last) {
    var m = [];
    for (var i = 0; i < 16; i += 1) m.push(le64(block, i * 8));
    var v = h.concat(IV);
    v[12] ^= BigInt(t) & MASK;
    if (last) v[14] ^= MASK;
    function g(a, b, c, d, x, y) {
      v[a] = (v[a] + v[b] + x) & MASK; v[d] = rotr(v[d] ^ v[a], 32);
      v[c] = (v[c] + v[d]) & MASK; v[b] = rotr(v[b] ^ v[c], 24);
      v[a] = (v[a] + v[b] + y) & MASK; v[d] = rotr(v[d] ^ v[a], 16);
      v[c] = (v[c] + v[d]) & MASK; v[b] = rotr(v[b] ^ v[c], 63);
    }
    for (var r = 0; r < 12; r += 1) {
      var s = SIGMA[r % 10];
      g(0, 4, 8, 12, m[s[0]], m[s[1]]); g(1, 5, 9, 13, m[s[2]], m[s[3]]);
      g(2, 6, 10, 14, m[s[4]], m[s[5]]); g(3, 7, 11, 15, m[s[6]], m[s[7]]);
      g(0, 5, 10, 15, m[s[8]], m[s[9]]); g(1, 6, 11, 12, m[s[10]], m[s[11]]);
      g(2, 7, 8, 13, m[s[12]], m[s[13]]); g(3, 4, 9, 14, m[s[14]], m[s[15]]);
    }
    for (var j = 0; j < 8; j += 1) h[j] ^= v[j] ^ v[j + 8];
  }

  function blake2b(message, outlen, salt, personal) {
    var h = IV.slice();
    h[0] ^= BigInt(0x01010000 ^ outlen);
    h[4] ^= le64(salt, 0); h[5] ^= le64(salt, 8);
    h[6] ^= le64(personal, 0); h[7] ^= le64(personal, 8);
    var at = 0;
    while (message.length - at > 128) {
      compress(h, message.subarray(at, at + 128), at + 128, false);
      at += 128;
    }
    var block = new Uint8Array(128);
    block.set(message.subarray(at), 0);
    compress(h, block, message.length, true);
    var out = new Uint8Array(outlen);
    for (var k = 0; k < outlen; k += 1) {
      out[k] = Number((h[k >> 3] >> BigInt(8 * (k & 7))) & BigInt(255));
    }
    return out;
  }

  function invitationHash(sodium, space, code) {
    var normalized = code.replace(/-/g, "").replace(/ /g, "").toUpperCase();
    var text = sodium.from_string(normalized);
    var spaceBytes = unb64(sodium, space);
    var message = new Uint8Array(text.length + spaceBytes.length);
    message.set(text, 0);
    message.set(spaceBytes, text.length);
    var personal = new Uint8Array(16);
    personal.set(sodium.from_string("veche-invite-v1"), 0);
    return b64(sodium, blake2b(message, 32, new Uint8Array(16), personal));
  }

  // The hand-written BLAKE2b must agree with libsodium's where both apply.
  function selfTest(sodium) {
    var zero = new Uint8Array(16);
    [0, 3, 128, 129, 300].forEach(function (n) {
      var sample = new Uint8Array(n);
      for (var i = 0; i < n; i += 1) sample[i] = (i * 7 + 1) & 255;
      var mine = b64(sodium, blake2b(sample, 32, zero, zero));
      if (mine !== b64(sodium, sodium.crypto_generichash(32, sample, null))) {
        throw new Error("BLAKE2b self-test failed");
      }
    });
  }

  function order(a, b) {
    if (a.at !== b.at) return a.at < b.at ? -1 : 1;
    return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
  }

  function members(sodium, events) {
    var bySpace = {};
    Object.keys(events).forEach(function (id) {
      var e = events[id];
      (bySpace[e.spaceId] = bySpace[e.spaceId] || []).push(e);
    });
    var result = {};
    Object.keys(bySpace).forEach(function (space) {
      var items = bySpace[space].sort(order);
      var create = events[space];
      var set = {};
      if (!create || create.kind !== "space.create") { result[space] = set; return; }
      set[create.author] = true;
      var changed = true;
      while (changed) {
        changed = false;
        var invites = {};
        items.forEach(function (e) {
          if (e.kind === "member.invite" && set[e.author]) invites[e.body.code_hash] = true;
        });
        items.forEach(function (e) {
          var key = null;
          if (e.kind === "member.join" && !set[e.author] && typeof e.body.code === "string" &&
              invites[invitationHash(sodium, space, e.body.code)]) key = e.author;
          if (e.kind === "member.device" && set[e.author] && !set[e.body.key]) key = e.body.key;
          if (key) { set[key] = true; changed = true; }
        });
      }
      result[space] = set;
    });
    return { bySpace: bySpace, members: result };
  }

  function counts(events, roster, e) {
    return e.kind === "space.create" || (events[e.spaceId] && roster.members[e.spaceId] &&
      roster.members[e.spaceId][e.author]);
  }

  function strikeTotals(events, roster) {
    var places = {};
    var changes = [];
    Object.keys(roster.bySpace).sort().forEach(function (space) {
      var own = {};
      roster.bySpace[space].forEach(function (e) {
        if (!counts(events, roster, e)) return;
        if (e.kind === "workplace.register") { own[e.id] = Object.assign({}, e.body); }
        if (e.kind === "workplace.update" && own[e.body.workplace]) {
          Object.keys(e.body).forEach(function (k) {
            if (k !== "workplace") own[e.body.workplace][k] = e.body[k];
          });
        }
      });
      roster.bySpace[space].forEach(function (e) {
        if (e.kind === "strike.status" && e.body.published === true && own[e.body.workplace] &&
            counts(events, roster, e)) changes.push(e);
        // A secret strike ballot's verified yes: a published full strike from its day.
        if (e.kind === "strike.ballot_result" && own[e.body.workplace] &&
            counts(events, roster, e)) {
          changes.push({ id: e.id, at: e.at, body: { workplace: e.body.workplace,
            day: e.body.day, status: "full_strike", out_per_mille: 1000 },
            ballot: [e.body.yes, e.body.no] });
        }
      });
      Object.keys(own).forEach(function (k) { places[k] = own[k]; });
    });
    changes.sort(function (a, b) {
      if (a.body.day !== b.body.day) return a.body.day < b.body.day ? -1 : 1;
      return order(a, b);
    });
    var latest = {};
    var lastDay = null;
    changes.forEach(function (e) {
      latest[e.body.workplace] = e;
      if (lastDay === null || e.body.day > lastDay) lastDay = e.body.day;
    });
    var plants = 0;
    var workers = 0;
    var shown = {};
    Object.keys(latest).forEach(function (w) {
      var e = latest[w];
      var out = 0;
      if (OUT[e.body.status]) {
        plants += 1;
        out = Math.floor(places[w].workforce * e.body.out_per_mille / 1000);
        workers += out;
      }
      shown[w] = { status: e.body.status, day: e.body.day, out: out,
        workforce: places[w].workforce, ballot: e.ballot || null };
    });
    var result = { day: lastDay, plants_out: plants, workers_out: workers };
    Object.defineProperty(result, "places", { value: shown, enumerable: false });
    return result;
  }

  function decisions(events, roster, space) {
    var items = (roster.bySpace[space] || []).filter(function (e) {
      return counts(events, roster, e);
    });
    var proposals = {};
    items.forEach(function (e) {
      if (e.kind === "motion.propose" && PUBLIC[e.body.kind]) proposals[e.id] = e;
    });
    var closes = {};
    items.forEach(function (e) {
      if (e.kind === "motion.close" && proposals[e.body.motion] && !closes[e.body.motion] &&
          e.body.result && typeof e.body.result === "object") closes[e.body.motion] = e;
    });
    var passed = Object.keys(closes).filter(function (m) {
      return closes[m].body.result.passed === true;
    }).map(function (m) {
      var title = proposals[m].body.title;
      items.forEach(function (e) {
        if (e.kind === "motion.amend" && e.body.motion === m &&
            e.author === proposals[m].author && order(e, closes[m]) < 0 &&
            typeof e.body.title === "string") title = e.body.title;
      });
      return { close: closes[m], title: title };
    });
    passed.sort(function (a, b) { return order(a.close, b.close); });
    var titles = passed.map(function (p) { return p.title; });
    Object.defineProperty(titles, "closes", { value: closes, enumerable: false });
    return titles;
  }

  function same(a, b) { return JSON.stringify(a) === JSON.stringify(b); }

  // Compact JSON with sorted keys, as Python's json.dumps(sort_keys=True,
  // separators=(",", ":"), ensure_ascii=False) writes it (the fund report's digest).
  function canonicalJson(v) {
    if (Array.isArray(v)) return "[" + v.map(canonicalJson).join(",") + "]";
    if (v !== null && typeof v === "object") {
      return "{" + Object.keys(v).sort().map(function (k) {
        return JSON.stringify(k) + ":" + canonicalJson(v[k]);
      }).join(",") + "}";
    }
    return JSON.stringify(v);
  }

  // A fund page's report: its digest is the one the signed fund.report publishes (so
  // no figure of it can change), and its payout commitments add up to its totals, as
  // veche fund verify-report checks them.
  function fundProblem(sodium, events, page) {
    var report = page.fund.report;
    var personal = new Uint8Array(16);
    personal.set(sodium.from_string("veche-report-v1"), 0);
    var digest = b64(sodium, blake2b(sodium.from_string(canonicalJson(report)), 32,
      new Uint8Array(16), personal));
    var publication = null;
    page.events.forEach(function (id) {
      if (events[id] && events[id].kind === "fund.report") publication = events[id];
    });
    if (!publication || publication.body.digest !== digest || digest !== page.fund.digest ||
        publication.body.period !== report.period) {
      return "the fund report is not the one its signed fund.report publishes";
    }
    if (report.fund.treasurers.indexOf(publication.author) < 0) {
      return "the fund report is not published by one of its treasurers";
    }
    var sums = {};
    report.commitments.forEach(function (c) { sums[c.currency] = (sums[c.currency] || 0) + c.amount; });
    var totals = report.out.payouts || {};
    var currencies = Object.keys(sums).concat(Object.keys(totals));
    for (var i = 0; i < currencies.length; i += 1) {
      if ((sums[currencies[i]] || 0) !== (totals[currencies[i]] || 0)) {
        return "the fund report's payouts do not add up to its totals";
      }
    }
    if (report.commitments.length !== report.payouts) {
      return "the fund report's payouts do not add up to its totals";
    }
    return null;
  }

  // The page's figures as render.py writes them (mirror-v1 §8): numbers grouped by
  // threes (a narrow no-break space in be and ru, a comma in en), money with two
  // decimals (a comma in be and ru) and its currency, days as 31.12.2020 (ISO in en).
  function grouped(n, mark) {
    var digits = String(Math.abs(n));
    var out = "";
    for (var i = 0; i < digits.length; i += 1) {
      if (i > 0 && (digits.length - i) % 3 === 0) out += mark;
      out += digits[i];
    }
    return (n < 0 ? "-" : "") + out;
  }

  function number(language, n) { return grouped(n, language === "en" ? "," : "\u202f"); }

  function money(language, minor, currency) {
    var whole = Math.floor(Math.abs(minor) / 100);
    var cents = Math.abs(minor) % 100;
    var text = (minor < 0 ? "-" : "") + grouped(whole, language === "en" ? "," : "\u202f") +
      (language === "en" ? "." : ",") + (cents < 10 ? "0" : "") + cents;
    return (text + " " + currency).trim();
  }

  function day(language, iso) {
    if (language === "en") return iso;
    var p = iso.split("-");
    return p[2] + "." + p[1] + "." + p[0];
  }

  function lang(path) { return path.split("/")[0]; }

  function pageKind(path) {
    var parts = path.split("/");
    if (parts.length === 2 && parts[1] === "strike.html") return "strike";
    if (parts.length === 3 && parts[1] === "c") return "committee";
    if (parts.length === 3 && parts[1] === "fund") return "fund";
    return "other";
  }

  // Each expected figure: {value, text}; text null when the words are not the check's to
  // derive (a status's label): then only the value is compared.
  function fact(value, text) { return { value: String(value), text: text }; }

  function strikeFacts(totals, language) {
    var facts = {};
    if (totals.day !== null) {
      facts.day = fact(totals.day, day(language, totals.day));
      facts.plants_out = fact(totals.plants_out, number(language, totals.plants_out));
      facts.workers_out = fact(totals.workers_out, number(language, totals.workers_out));
    }
    Object.keys(totals.places).forEach(function (w) {
      var p = totals.places[w];
      var key = "w." + w + ".";
      facts[key + "status"] = fact(p.status, null);
      facts[key + "day"] = fact(p.day, day(language, p.day));
      facts[key + "out"] = fact(p.out, number(language, p.out));
      facts[key + "workforce"] = fact(p.workforce, number(language, p.workforce));
      if (p.ballot) {
        facts[key + "yes"] = fact(p.ballot[0], number(language, p.ballot[0]));
        facts[key + "no"] = fact(p.ballot[1], number(language, p.ballot[1]));
      }
    });
    return facts;
  }

  function voteFacts(closes, language) {
    var facts = {};
    Object.keys(closes).forEach(function (m) {
      var result = closes[m].body.result;
      if (result.passed !== true) return;
      ["yes", "no", "abstain"].forEach(function (name) {
        if (typeof result[name] === "number" && Number.isInteger(result[name])) {
          facts["m." + m + "." + name] = fact(result[name], number(language, result[name]));
        }
      });
    });
    return facts;
  }

  function fundFacts(report, language) {
    var facts = {
      payouts: fact(report.payouts, number(language, report.payouts)),
      recipients: fact(report.recipients, number(language, report.recipients))
    };
    ["in", "out"].forEach(function (side) {
      Object.keys(report[side] || {}).forEach(function (name) {
        Object.keys(report[side][name]).forEach(function (currency) {
          var amount = report[side][name][currency];
          facts[side + "." + name + "." + currency] = fact(amount, money(language, amount, currency));
        });
      });
    });
    Object.keys((report.out || {}).payouts || {}).forEach(function (currency) {
      var amount = report.out.payouts[currency];
      var count = report.commitments.filter(function (c) { return c.currency === currency; }).length;
      facts["total." + currency] = fact(amount, money(language, amount, currency));
      facts["count." + currency] = fact(count, number(language, count));
    });
    return facts;
  }

  // One page's text against the figures derived for it: every marked figure must be
  // one of them, once, with its value and its text; none may be missing.
  function comparePage(path, text, facts, problems) {
    var doc = new DOMParser().parseFromString(text, "text/html");
    var seen = {};
    var marks = doc.querySelectorAll("data[data-fact]");
    for (var i = 0; i < marks.length; i += 1) {
      var key = marks[i].getAttribute("data-fact");
      var want = Object.prototype.hasOwnProperty.call(facts, key) ? facts[key] : null;
      if (!want) { problems.push(path + ": figure " + key + " is not one the events give"); continue; }
      if (seen[key]) { problems.push(path + ": figure " + key + " is shown twice"); continue; }
      seen[key] = true;
      var value = marks[i].getAttribute("value");
      if (value !== want.value) {
        problems.push(path + ": figure " + key + " is " + value + ", the events say " + want.value);
      } else if (want.text !== null && marks[i].textContent !== want.text) {
        problems.push(path + ": figure " + key + " reads \u201c" + marks[i].textContent +
          "\u201d, the events say \u201c" + want.text + "\u201d");
      }
    }
    Object.keys(facts).sort().forEach(function (key) {
      if (!seen[key]) problems.push(path + ": figure " + key + " is missing");
    });
  }

  function compareAll(result, texts) {
    var problems = [];
    var read = [];
    Object.keys(result.expected).sort().forEach(function (path) {
      if (typeof texts[path] !== "string") {
        problems.push(path + ": the page could not be read");
        return;
      }
      comparePage(path, texts[path], result.expected[path], problems);
      read.push(path);
    });
    return { problems: problems, read: read };
  }

  function check(sodium, data) {
    var problems = [];
    var events = readEvents(sodium, data.events, problems);
    var roster = members(sodium, events);
    var totals = strikeTotals(events, roster);
    var shown = [];
    var expected = {};
    var signatureOnly = [];
    Object.keys(data.pages).sort().forEach(function (path) {
      var page = data.pages[path];
      var named = {};
      page.committees.forEach(function (c) { named[c] = true; });
      for (var i = 0; i < page.events.length; i += 1) {
        var id = page.events[i];
        var e = events[id];
        var why = null;
        if (!e) why = "event " + id + " is missing or invalid";
        else if (!named[e.spaceId]) why = "event " + id + " belongs to another committee";
        else if (!counts(events, roster, e)) why = "event " + id + " is signed by a non-member";
        if (why) { problems.push(path + ": " + why); return; }
      }
      if (page.strike && !same(page.strike, totals)) {
        problems.push(path + ": the strike totals differ from what the events say");
      }
      var wrong = null;
      if (page.fund) {
        wrong = fundProblem(sodium, events, page);
        if (wrong) problems.push(path + ": " + wrong);
      }
      var derived = null;
      if (page.decisions) {
        var space = path.split("/").pop().replace(/\.html$/, "");
        derived = decisions(events, roster, space);
        if (!same(page.decisions, derived)) {
          problems.push(path + ": the decisions differ from what the events say");
        }
      }
      var kind = pageKind(path);
      if (kind === "strike") expected[path] = strikeFacts(totals, lang(path));
      else if (kind === "committee" && derived) expected[path] = voteFacts(derived.closes, lang(path));
      else if (kind === "fund" && !wrong) expected[path] = fundFacts(page.fund.report, lang(path));
      else if (kind !== "fund") signatureOnly.push(path);
      shown.push(path);
    });
    return { problems: problems, totals: totals, pages: shown, events: Object.keys(events).length,
      expected: expected, signatureOnly: signatureOnly };
  }

  function say(state, extra) {
    var status = document.getElementById("status");
    status.textContent = status.getAttribute("data-" + state) + (extra ? " (" + extra + ")" : "");
    status.className = "status " + state;
  }

  function list(id, items) {
    var node = document.getElementById(id);
    node.textContent = "";
    items.forEach(function (p) {
      var li = document.createElement("li");
      li.textContent = p;
      node.appendChild(li);
    });
  }

  // pages: null until the pages are read; then {problems, read}.
  function show(result, pages) {
    var problems = result.problems.concat(pages ? pages.problems : []);
    if (problems.length > 0) say("bad");
    else if (!pages) say("wait");
    else say("ok");
    list("problems", problems);
    document.getElementById("signature-only").hidden = result.signatureOnly.length === 0;
    list("unchecked", result.signatureOnly);
    document.getElementById("facts").textContent = JSON.stringify({
      events: result.events,
      pages: result.pages.length,
      figures_compared_on: pages ? pages.read : [],
      strike: result.totals
    });
  }

  function readFolder(files) {
    var texts = {};
    var wanted = Array.prototype.filter.call(files, function (f) {
      return /\.html$/.test(f.webkitRelativePath || f.name);
    });
    return Promise.all(wanted.map(function (f) {
      // "site/be/strike.html" -> "be/strike.html": paths from the chosen folder.
      var path = (f.webkitRelativePath || f.name).split("/").slice(1).join("/");
      return f.text().then(function (text) { texts[path] = text; });
    })).then(function () { return texts; });
  }

  function fetchPages(paths) {
    var texts = {};
    return Promise.all(paths.map(function (path) {
      return fetch(path, { cache: "no-store" }).then(function (response) {
        if (!response.ok) throw new Error(path + ": " + response.status);
        return response.text();
      }).then(function (text) { texts[path] = text; }, function () { /* reported unread */ });
    })).then(function () { return texts; });
  }

  function start() {
    if (!window.VECHE_MIRROR) { say("bad", "mirror-data.js"); return; }
    if (!window.sodium) { say("bad", "libsodium.js"); return; }
    window.sodium.ready.then(function () {
      selfTest(window.sodium);
      var result = check(window.sodium, window.VECHE_MIRROR);
      show(result, null);
      var chooser = document.getElementById("folder");
      chooser.addEventListener("change", function () {
        readFolder(chooser.files).then(function (texts) {
          show(result, compareAll(result, texts));
        });
      });
      if (location.protocol === "http:" || location.protocol === "https:") {
        fetchPages(Object.keys(result.expected)).then(function (texts) {
          show(result, compareAll(result, texts));
        });
      } else {
        document.getElementById("choose").hidden = false;
      }
    }).catch(function (error) { say("bad", error.message); });
  }

  window.VecheMirrorCheck = { check: check, compareAll: compareAll };
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
