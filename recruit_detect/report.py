"""A self-contained HTML report of scored posts: sorted by risk, cues highlighted with their
reasons on hover, filters by band, cue and destination, a search box, summary counts and an
entity pivot (which contacts, group invitations and payee accounts appear in the most high-risk
posts). No network: CSS, JS and data are inline. Filters live in the URL fragment (#band=high&cue=fee_demand&q=kamboja), so a view
can be bookmarked, shared, and opened by a headless browser in tests."""
from __future__ import annotations

import html
import json
from collections import Counter

PIVOT_KINDS = ("phones", "telegrams", "groups", "emails", "urls", "accounts")


def _pivot_entry(value) -> tuple[str, str]:
    """(what the search box finds, what the table shows): an account pivots on its number and is
    shown with its bank."""
    if isinstance(value, str):
        return value, value
    return value["number"], " ".join(filter(None, (value["bank"], value["number"])))


def pivot(records: list[dict], top: int = 20) -> list[dict]:
    """Contacts and payee accounts ranked by the number of high-risk posts they appear in."""
    high, total = Counter(), Counter()
    kinds, labels = {}, {}
    for rec in records:
        seen = set()
        for kind in PIVOT_KINDS:
            for value, label in map(_pivot_entry, rec.get("entities", {}).get(kind, [])):
                if value in seen:
                    continue
                seen.add(value)
                kinds[value], labels[value] = kind, label
                total[value] += 1
                if rec.get("band") == "high":
                    high[value] += 1
    ranked = sorted(total, key=lambda v: (-high[v], -total[v], v))[:top]
    return [{"value": v, "label": labels[v], "kind": kinds[v], "high": high[v], "posts": total[v]}
            for v in ranked if high[v]]


def summary(records: list[dict]) -> dict:
    bands = Counter(r.get("band") or "error" for r in records)
    cues = Counter(c["cue"] for r in records for c in {c["cue"]: c for c in r.get("cues", [])}.values())
    destinations = Counter(d for r in records for d in set(r.get("entities", {}).get("destinations", [])))
    return {"posts": len(records), "bands": dict(bands), "cues": dict(cues.most_common()),
            "destinations": dict(destinations.most_common())}


def _compact(rec: dict, text_field: str) -> dict:
    """Only what the page shows, to keep a 10,000-post report small."""
    return {"id": rec.get("id"), "text": rec.get(text_field) or "", "risk": rec.get("risk"), "band": rec.get("band"),
            "error": rec.get("error"),
            "cues": [{k: c.get(k) for k in ("cue", "start", "end", "polarity", "severity", "reported", "reason",
                                             "title", "law", "source", "probability")} for c in rec.get("cues", [])],
            "entities": rec.get("entities", {})}


def render(records: list[dict], title: str = "recruit-detect report", text_field: str = "text") -> str:
    records = sorted(records, key=lambda r: -(r.get("risk") if r.get("risk") is not None else -1))
    data = {"records": [_compact(r, text_field) for r in records], "summary": summary(records), "pivot": pivot(records)}
    payload = json.dumps(data, ensure_ascii=False).replace("</", "<\\/")
    return _PAGE.replace("__TITLE__", html.escape(title)).replace("__DATA__", payload)


_PAGE = r"""<!doctype html>
<html lang="id"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>__TITLE__</title>
<style>
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;color:#1d2430;background:#f5f6f8}
header{background:#1d2430;color:#fff;padding:12px 20px}header h1{font-size:18px;margin:0}
#counts{display:flex;gap:10px;margin-top:8px;flex-wrap:wrap}.count{background:#2c3645;border-radius:6px;padding:4px 10px}
main{display:grid;grid-template-columns:1fr 300px;gap:16px;padding:16px 20px}
#controls{display:flex;gap:8px;flex-wrap:wrap;margin-bottom:12px}#controls select,#controls input{padding:6px;border:1px solid #c8ced8;border-radius:6px;font:inherit}
#q{flex:1;min-width:180px}.post{background:#fff;border-radius:8px;padding:10px 14px;margin-bottom:10px;box-shadow:0 1px 2px #0001}
.meta{display:flex;gap:10px;align-items:center;font-size:12px;color:#5b6676;margin-bottom:4px}
.band{font-weight:700;border-radius:4px;padding:1px 6px;color:#fff}.band.high{background:#c62828}.band.review{background:#ef8c00}.band.low{background:#2e7d32}.band.error{background:#777}
.text{white-space:pre-wrap;word-break:break-word}.ents{font-size:12px;color:#5b6676;margin-top:6px}
mark{border-radius:3px;padding:0 1px;cursor:help}mark.risk{background:#ffd6d6}mark.risk.hard{background:#ffb3b3;font-weight:600}
mark.risk.reported{background:#fff1c2}mark.legit{background:#d4f5d8}mark.not_ad{background:#d6ecff}
mark.model{border-bottom:2px dashed #5b6676}
aside section{background:#fff;border-radius:8px;padding:10px 14px;margin-bottom:12px}aside h2{font-size:14px;margin:0 0 6px}
aside table{width:100%;border-collapse:collapse;font-size:12px}aside td{padding:2px 4px;border-bottom:1px solid #eef0f3}
aside a{color:#1554b3;cursor:pointer;text-decoration:none}#more{display:block;margin:12px auto;padding:8px 16px}
.empty{color:#5b6676;padding:20px}
</style></head><body>
<header><h1>__TITLE__</h1><div id="counts"></div></header>
<main><div>
<div id="controls">
<select id="band" aria-label="band"><option value="">semua band</option><option value="high">high</option><option value="review">review</option><option value="low">low</option><option value="error">error</option></select>
<select id="cue" aria-label="cue"><option value="">semua cue</option></select>
<select id="dest" aria-label="tujuan"><option value="">semua tujuan</option></select>
<input id="q" type="search" placeholder="cari teks, nomor, id…" aria-label="cari">
</div>
<div id="status"></div><div id="list"></div><button id="more" hidden>tampilkan lebih banyak</button>
</div>
<aside><section><h2>Kontak di pos berisiko tinggi</h2><table id="pivot"></table></section>
<section><h2>Cue</h2><table id="cuetable"></table></section>
<section><h2>Sorotan</h2><p><mark class="risk">tanda risiko</mark> <mark class="risk hard">keras</mark>
<mark class="risk reported">dikutip/dilaporkan</mark> <mark class="legit">tanda resmi</mark>
<mark class="not_ad">bukan iklan</mark> <mark class="risk model">garis putus-putus: dipelajari model</mark>;
arahkan kursor untuk alasannya.</p></section></aside></main>
<script type="application/json" id="data">__DATA__</script>
<script>
const DATA = JSON.parse(document.getElementById('data').textContent);
const PAGE = 100;
let shown = PAGE, matches = [];
const $ = id => document.getElementById(id);
const esc = s => String(s).replace(/[&<>"']/g, c => ({'&':'&amp;','<':'&lt;','>':'&gt;','"':'&quot;',"'":'&#39;'}[c]));
for (const r of DATA.records) {
  r._search = (String(r.id) + ' ' + r.text + ' ' + JSON.stringify(r.entities)).toLowerCase();
  r._cues = new Set(r.cues.map(c => c.cue));
  r._dest = new Set(r.entities.destinations || []);
}
const S = DATA.summary;
$('counts').innerHTML = `<span class="count">${S.posts} pos</span>` +
  ['high','review','low','error'].map(b => `<span class="count">${b}: ${S.bands[b] || 0}</span>`).join('');
for (const [c, n] of Object.entries(S.cues)) $('cue').insertAdjacentHTML('beforeend', `<option value="${esc(c)}">${esc(c)} (${n})</option>`);
for (const [d, n] of Object.entries(S.destinations)) $('dest').insertAdjacentHTML('beforeend', `<option value="${esc(d)}">${esc(d)} (${n})</option>`);
$('cuetable').innerHTML = Object.entries(S.cues).map(([c, n]) => `<tr><td><a data-cue="${esc(c)}">${esc(c)}</a></td><td>${n}</td></tr>`).join('');
$('pivot').innerHTML = DATA.pivot.length ? '<tr><td>kontak</td><td>high</td><td>pos</td></tr>' + DATA.pivot.map(p =>
  `<tr><td><a data-q="${esc(p.value)}">${esc(p.label)}</a></td><td>${p.high}</td><td>${p.posts}</td></tr>`).join('') : '<tr><td>—</td></tr>';

function highlight(text, cues) {
  const cps = Array.from(text);  // offsets are code points, as in Python
  const spans = cues.slice().sort((a, b) => a.start - b.start || (b.end - b.start) - (a.end - a.start));
  let out = '', pos = 0;
  for (const c of spans) {
    if (c.start < pos) continue;
    out += esc(cps.slice(pos, c.start).join(''));
    const cls = [c.polarity, c.severity, c.reported ? 'reported' : '', c.source === 'model' ? 'model' : ''].filter(Boolean).join(' ');
    const tip = (c.title || c.cue) + ': ' + (c.reason || '') + (c.law ? ' (' + c.law + ')' : '') + (c.reported ? ' [dikutip/dilaporkan]' : '')
      + (c.source === 'model' ? ' [dipelajari model, ' + c.probability + ']' : '');
    out += `<mark class="${esc(cls)}" data-cue="${esc(c.cue)}" title="${esc(tip)}">${esc(cps.slice(c.start, c.end).join(''))}</mark>`;
    pos = c.end;
  }
  return out + esc(cps.slice(pos).join(''));
}

function row(r) {
  const band = r.band || 'error';
  const account = a => [a.bank, a.number, a.holder && 'a.n. ' + a.holder, a.personal && '(rekening pribadi)'].filter(Boolean).join(' ');
  const ents = Object.entries(r.entities).filter(([k]) => k !== 'money').map(([k, v]) => `${esc(k)}: ${v.map(x => esc(k === 'accounts' ? account(x) : x)).join(', ')}`);
  const money = (r.entities.money || []).map(m => `${esc(m.currency)} ${m.amount.toLocaleString('id-ID')}${m.role ? ' [' + esc(m.role) + ']' : ''}`);
  if (money.length) ents.push('money: ' + money.join(', '));
  return `<article class="post" data-id="${esc(r.id)}" data-band="${band}"><div class="meta"><span class="band ${band}">${band}</span>` +
    `<span>risk ${r.risk === null ? '–' : r.risk.toFixed(2)}</span><span>${esc(r.id)}</span>${r.error ? '<span>' + esc(r.error) + '</span>' : ''}</div>` +
    `<div class="text">${highlight(r.text, r.cues)}</div>${ents.length ? '<div class="ents">' + ents.join(' · ') + '</div>' : ''}</article>`;
}

function readHash() {
  const p = new URLSearchParams(location.hash.slice(1));
  $('band').value = p.get('band') || ''; $('cue').value = p.get('cue') || '';
  $('dest').value = p.get('dest') || ''; $('q').value = p.get('q') || '';
}
function writeHash() {
  const p = new URLSearchParams();
  for (const k of ['band', 'cue', 'dest', 'q']) { const el = $(k === 'dest' ? 'dest' : k); if (el.value) p.set(k, el.value); }
  history.replaceState(null, '', '#' + p.toString());
}
function apply() {
  const t0 = performance.now();
  const band = $('band').value, cue = $('cue').value, dest = $('dest').value, q = $('q').value.trim().toLowerCase();
  matches = DATA.records.filter(r => (!band || (r.band || 'error') === band) && (!cue || r._cues.has(cue)) &&
    (!dest || r._dest.has(dest)) && (!q || r._search.includes(q)));
  shown = PAGE; render();
  $('status').dataset.ms = (performance.now() - t0).toFixed(1);  // filter + render time, read by benchmarks
}
function render() {
  const slice = matches.slice(0, shown);
  $('list').innerHTML = slice.length ? slice.map(row).join('') : '<div class="empty">tidak ada pos yang cocok</div>';
  $('status').innerHTML = `<span id="shown">${slice.length}</span> dari <span id="matched">${matches.length}</span> pos`;
  $('more').hidden = shown >= matches.length;
}
$('more').onclick = () => { shown += PAGE; render(); };
for (const id of ['band', 'cue', 'dest']) $(id).onchange = () => { writeHash(); apply(); };
let timer; $('q').oninput = () => { clearTimeout(timer); timer = setTimeout(() => { writeHash(); apply(); }, 120); };
document.body.addEventListener('click', e => {
  const a = e.target.closest('a'); if (!a) return;
  if (a.dataset.cue) $('cue').value = a.dataset.cue;
  if (a.dataset.q) $('q').value = a.dataset.q;
  writeHash(); apply();
});
window.addEventListener('hashchange', () => { readHash(); apply(); });
readHash(); apply();
</script></body></html>
"""
