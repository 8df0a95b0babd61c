#!/usr/bin/env python3
"""Falsified evidence (C15) end to end: a real `cfr serve` (embedded store, or PostgreSQL with
--store), slip pictures drawn by `cfr gen slip` (a QR rendered with libqrencode onto a synthetic
phone screenshot), uploaded and checked over HTTP.

The issue's "done when": a genuine slip is verified against the ledger; an edited amount is a
mismatch; a slip whose transaction does not exist is not_found; a re-compressed copy of an earlier
picture is found as reuse; a QR paying a listed mule is flagged. Also: no QR and an altered QR,
byte-identical uploads stored once, access by role and agency, EXIF kept from banks, the file
read back whole and audited, and bad files (wrong type, truncated, a decompression bomb, over the
size limit) refused with a 4xx naming the field.

Usage: run.py --cfr build/release/cfr [--store postgresql://user@host:port]
Prints one line per check and "N passed, M failed"; exits 1 if any failed.
"""
import argparse
import json
import os
import struct
import subprocess
import sys
import tempfile
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "reliability"))
from common import Results, Server, call, drop_database, new_database  # noqa: E402

REF = "015330000001BPM00001"   # the genuine transfer's reference at KBANK (004)
MULE_PHONE = "0812345678"      # a mule's PromptPay number, listed black by the police


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cfr", required=True)
    ap.add_argument("--store", default="", help="a PostgreSQL server (postgresql://user@host:port)")
    args = ap.parse_args()
    cfr = os.path.abspath(args.cfr)
    res = Results("evidence" + (" (postgresql)" if args.store else ""))
    db = f"cfr_evidence_{os.getpid()}"
    store_url = new_database(args.store, db) if args.store else ""
    try:
        with tempfile.TemporaryDirectory(prefix="cfr-evidence-") as tmp:
            run(cfr, tmp, store_url, res)
    finally:
        if args.store:
            drop_database(args.store, db)
    res.finish()


def slip(cfr, tmp, name, *argv):
    """Draws a slip picture with `cfr gen slip`; its bytes."""
    path = os.path.join(tmp, name)
    p = subprocess.run([cfr, "gen", "slip", "--out", path, *argv], capture_output=True, text=True)
    if p.returncode != 0:
        raise SystemExit(f"cfr gen slip {argv}: {p.stderr}")
    with open(path, "rb") as f:
        return f.read()


def run(cfr, tmp, store_url, res):
    server = Server(cfr, os.path.join(tmp, "data"), store_url, env={"CFR_EVIDENCE_MAX_BYTES": "300000"})
    admin = server.admin_key()
    server.start()
    op = server.key(admin, "operator", "AOC")
    police = server.key(admin, "police", "RTP-CIB")
    kbank = server.key(admin, "bank", "KBANK")
    scb = server.key(admin, "bank", "SCB")
    base = server.base

    def j(status_text):
        st, text = status_text
        try:
            return st, json.loads(text)
        except ValueError:
            return st, {"raw": text}

    def upload(token, data, query="", ctype="image/png"):
        return j(call(base, token, "POST", "/api/v1/evidence" + query, data, content_type=ctype))

    def report(phone, amount, at):
        st, body = j(call(base, op, "POST", "/api/v1/reports", {
            "victim": {"name": "Evidence Test", "phone": phone}, "channel": "hotline", "scam_type": "fake_shopping",
            "occurred_at": "2026-12-01T09:00:00+07:00",
            "loss_transfers": [{"to": {"bank": "KBANK", "account": "987-6-54321-0"}, "amount_satang": amount,
                                "at": at}]}))
        if st != 201:
            raise SystemExit(f"report: {st} {body}")
        return body["id"], body["case_id"]

    # The ledger: KBANK's transfer of THB 1,500 that the genuine slip shows.
    st, _ = call(base, kbank, "POST", "/api/v1/transfers",
                 json.dumps({"txn_id": REF, "from": {"bank": "KBANK", "account": "123-4-56789-1"},
                             "to": {"bank": "KBANK", "account": "987-6-54321-0"}, "amount_satang": 150000,
                             "at": "2026-12-01T10:04:00+07:00", "channel": "promptpay"}),
                 content_type="application/x-ndjson")
    res.check(st == 200, "KBANK submits the transfer the slip shows")

    # 1. A genuine slip, uploaded with the victim's report: verified against the ledger.
    genuine = slip(cfr, tmp, "genuine.png", "--ref", REF, "--amount-satang", "150000", "--seed", "3")
    r1, c1 = report("0812220001", 150000, "2026-12-01T10:04:00+07:00")
    st, up = upload(op, genuine, f"?report_id={r1}")
    res.check(st == 201 and up.get("created") is True and up["media_type"] == "image/png"
              and up["width"] == 1080 and up["height"] == 1920, f"a PNG slip is stored (201, 1080×1920): {st}")
    res.check(up.get("slip", {}).get("status") == "verified" and up["slip"]["transfer"]["txn_id"] == REF
              and up["slip"]["slip"] == {"sending_bank": "004", "trans_ref": REF},
              f"a genuine slip is verified against the ledger: {up.get('slip')}")
    res.check(up.get("links") == {"report_ids": [r1], "case_ids": [c1]}, "it is linked to the report and its case")
    sha1 = up.get("sha256", "")

    # The same bytes again: stored once.
    st, again = upload(op, genuine)
    res.check(st == 200 and again.get("created") is False and again.get("sha256") == sha1,
              "the same bytes again are not stored twice (200, created false)")

    # 2. The same slip, re-compressed and resized, sent by another victim whose report claims
    # THB 15,000: the amount is a mismatch, and the picture is found as reuse of the first.
    edited = slip(cfr, tmp, "edited.jpg", "--ref", REF, "--amount-satang", "1500000", "--seed", "3",
                  "--quality", "55", "--scale", "0.6")
    r2, c2 = report("0812220002", 1500000, "2026-12-01T10:04:00+07:00")
    st, up2 = upload(op, edited, f"?report_id={r2}", "image/jpeg")
    res.check(st == 201 and up2.get("media_type") == "image/jpeg", f"a JPEG is stored: {st}")
    diffs = up2.get("slip", {}).get("differences", [])
    res.check(up2.get("slip", {}).get("status") == "mismatch" and [d["field"] for d in diffs] == ["amount_satang"]
              and diffs[0]["claimed"] == "1500000" and diffs[0]["recorded"] == "150000",
              f"an edited amount is a mismatch naming amount_satang: {up2.get('slip')}")
    reuse = up2.get("reuse", [])
    res.check(len(reuse) == 1 and reuse[0]["sha256"] == sha1 and reuse[0]["match"] == "visual"
              and reuse[0]["report_ids"] == [r1] and reuse[0]["case_ids"] == [c1],
              f"the re-compressed copy is found as reuse of the first report's picture: {reuse}")
    st, listing = j(call(base, op, "GET", f"/api/v1/cases/{c1}/evidence"))
    items = listing.get("items", [])
    res.check(st == 200 and len(items) == 1 and items[0]["sha256"] == sha1
              and items[0]["reuse"] and items[0]["reuse"][0]["report_ids"] == [r2],
              "the first case lists its picture with its reuse in the second report")
    st, listing = j(call(base, op, "GET", f"/api/v1/reports/{r2}/evidence"))
    res.check(st == 200 and len(listing.get("items", [])) == 1, "a report lists its files")

    # The same upload as an HTML form (multipart/form-data) sends it.
    boundary = "----cfrEvidenceTest"
    form = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"report_id\"\r\n\r\n{r2}\r\n"
            f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"slip.webp\"\r\n"
            f"Content-Type: image/webp\r\n\r\n").encode()
    webp = slip(cfr, tmp, "form.webp", "--ref", REF, "--seed", "21", "--amount-satang", "1500000")
    form += webp + f"\r\n--{boundary}--\r\n".encode()
    st, up5 = upload(op, form, ctype=f"multipart/form-data; boundary={boundary}")
    res.check(st == 201 and up5.get("media_type") == "image/webp" and r2 in up5.get("links", {}).get("report_ids", []),
              f"a multipart/form-data upload with report_id as a field: {st} {up5.get('error')}")
    st, e = upload(op, form[:-40], ctype=f"multipart/form-data; boundary={boundary}")
    res.check(st == 400 and e["error"]["field"] == "body", "a truncated form is refused naming the body")

    # Byte-identical reuse: the first picture linked to the second report too.
    st, linked = j(call(base, op, "POST", f"/api/v1/evidence/{sha1}/links", {"report_id": r2}))
    res.check(st == 200 and r2 in linked.get("links", {}).get("report_ids", []), "a stored file is linked to a report")
    st, listing = j(call(base, op, "GET", f"/api/v1/reports/{r2}/evidence"))
    first = next((i for i in listing.get("items", []) if i["sha256"] == sha1), {})
    res.check(any(x["match"] == "identical" and x["report_ids"] == [r1] for x in first.get("reuse", [])),
              "the same bytes in two reports are identical reuse")

    # 3. A forged slip: a well-formed QR whose transaction does not exist.
    forged = slip(cfr, tmp, "forged.png", "--ref", "015330000999BPM09999", "--amount-satang", "990000")
    st, v = j(call(base, op, "POST", "/api/v1/slips/verify?amount_satang=990000", forged, content_type="image/png"))
    res.check(st == 200 and v.get("status") == "not_found", f"a slip whose transaction does not exist is not_found: {v}")
    # No QR, and an altered QR (one digit of the reference changed, checksum kept).
    blank = slip(cfr, tmp, "blank.png", "--amount-satang", "5000")
    st, v = j(call(base, op, "POST", "/api/v1/slips/verify", blank, content_type="image/png"))
    res.check(st == 200 and v.get("status") == "no_qr", f"a picture without a slip QR is no_qr: {v.get('status')}")
    good_payload = subprocess.run([cfr, "gen", "slip", "--out", os.path.join(tmp, "p.png"), "--ref", REF],
                                  capture_output=True, text=True).stdout.strip()
    altered_payload = good_payload.replace("BPM00001", "BPM00002")
    altered = slip(cfr, tmp, "altered.png", "--qr-payload", altered_payload)
    st, v = j(call(base, op, "POST", "/api/v1/slips/verify", altered, content_type="image/png"))
    res.check(st == 200 and v.get("status") == "invalid_qr" and "CRC" in v.get("problem", ""),
              f"an altered QR is invalid_qr (its checksum): {v}")
    st, v = j(call(base, op, "POST", "/api/v1/slips/verify",
                   {"payload": good_payload, "report_id": r2}))
    res.check(st == 200 and v.get("status") == "mismatch", "a payload checked against a report's claims")
    st, v = j(call(base, op, "POST", "/api/v1/slips/verify",
                   {"payload": good_payload, "claimed": {"amount_satang": 150000, "at": "2026-12-01T03:04:30Z",
                                                         "to": {"bank": "KBANK", "account": "987-6-54321-0"}}}))
    res.check(st == 200 and v.get("status") == "verified", f"a payload with matching claims is verified: {v.get('status')}")

    # The public: a picture or a payload, the verdict and the differing fields only.
    st, v = j(call(base, None, "POST", "/api/v1/slips/verify?amount_satang=1500000", edited, content_type="image/jpeg"))
    res.check(st == 200 and v.get("status") == "mismatch" and "transfer" not in v and "reuse" not in v
              and v["differences"] == [{"field": "amount_satang"}],
              f"the public gets the verdict without the recorded transfer: {v}")
    st, v = j(call(base, None, "POST", "/api/v1/slips/verify", {"payload": good_payload, "report_id": r1}))
    res.check(st == 403 and v.get("error", {}).get("field") == "report_id", "the public cannot name a report")

    # 4. A QR paying a listed mule is flagged.
    st, _ = j(call(base, police, "POST", f"/api/v1/entities/phone/%2B66{MULE_PHONE[1:]}/listing",
                   {"tier": "black", "reason": "confirmed mule (evidence test)"}))
    res.check(st == 200, f"the police list the mule's number black: {st}")
    paying = slip(cfr, tmp, "paying.png", "--promptpay", MULE_PHONE, "--amount-satang", "20000")
    st, up3 = upload(op, paying, f"?case_id={c1}")
    pq = up3.get("payment_qr", [])
    res.check(st == 201 and len(pq) == 1 and pq[0]["flagged"] is True
              and pq[0]["proxy"]["canonical"] == f"mobile:+66{MULE_PHONE[1:]}" and pq[0]["tier"] == "black",
              f"a PromptPay QR paying a listed mule is flagged: {pq}")
    other = slip(cfr, tmp, "other.png", "--promptpay", "0899999999", "--amount-satang", "20000")
    st, v = j(call(base, None, "POST", "/api/v1/slips/verify", other, content_type="image/png"))
    res.check(st == 200 and v.get("payment_qr", [{}])[0].get("flagged") is False,
              "a QR paying an unknown number is not flagged")

    # Access: banks see their own uploads only, without EXIF; the public uploads nothing.
    st, _ = j(call(base, kbank, "GET", f"/api/v1/evidence/{sha1}"))
    res.check(st == 404, "a bank does not see the centre's files (404)")
    mine = slip(cfr, tmp, "kbank.png", "--ref", REF, "--seed", "9")
    st, up4 = upload(kbank, mine)
    res.check(st == 201 and "exif" not in up4 and "links" not in up4, "a bank uploads and sees no EXIF or links")
    st, _ = j(call(base, kbank, "GET", f"/api/v1/evidence/{up4.get('sha256')}"))
    res.check(st == 200, "a bank sees its own upload")
    st, _ = j(call(base, scb, "GET", f"/api/v1/evidence/{up4.get('sha256')}"))
    res.check(st == 404, "another bank does not")
    st, _ = j(call(base, kbank, "POST", f"/api/v1/evidence?case_id={c1}", mine, content_type="image/png"))
    res.check(st == 403, "only the centre links to a case")
    st, _ = upload(None, genuine)
    res.check(st == 401, "the public cannot upload")

    # The file comes back whole, as an attachment; the read is audited.
    host, port = base.replace("http://", "").split(":")
    import http.client
    c = http.client.HTTPConnection(host, int(port), timeout=30)
    c.request("GET", f"/api/v1/evidence/{sha1}/file", headers={"Authorization": "Bearer " + op})
    r = c.getresponse()
    body = r.read()
    res.check(r.status == 200 and body == genuine and r.getheader("Content-Type") == "image/png"
              and "attachment" in (r.getheader("Content-Disposition") or ""),
              "the file is read back byte for byte, as an attachment")
    st, audit = j(call(base, admin, "GET", "/api/v1/audit?limit=1000"))
    res.check(st == 200 and any(sha1 in json.dumps(e) and "evidence_file" in json.dumps(e)
                                for e in audit.get("items", [])),
              "reading the file is in the audit log")

    # The police's evidence pack of the first case carries the pictures, hashed in its manifest.
    st, pack = j(call(base, police, "GET", f"/api/v1/cases/{c1}/evidence-pack"))
    import base64
    import hashlib
    files = {f["name"]: f for f in pack.get("files", [])}
    picture = files.get(f"evidence/{sha1}.png", {})
    manifest = {f["name"]: f["sha256"] for f in pack.get("manifest", {}).get("files", [])}
    res.check(st == 200 and "evidence.json" in files and picture
              and base64.b64decode(picture["content_base64"]) == genuine
              and hashlib.sha256(genuine).hexdigest() == picture["sha256"] == manifest.get(f"evidence/{sha1}.png"),
              "the evidence pack holds the case's pictures, byte for byte, hashed in its manifest")

    # Bad files: a 4xx naming the field, nothing stored.
    st, e = upload(op, b"GIF89a\x01\x00\x01\x00\x00\x00\x00;", ctype="image/gif")
    res.check(st == 400 and e["error"]["field"] == "file" and "GIF" in e["error"]["message"], "a GIF is refused (400, file)")
    st, e = upload(op, genuine[: len(genuine) // 2])
    res.check(st == 400 and e["error"]["field"] == "file", f"a truncated PNG is refused: {e}")
    bomb = bytearray(genuine)
    struct.pack_into(">II", bomb, 16, 100000, 100000)
    struct.pack_into(">I", bomb, 29, zlib.crc32(bytes(bomb[12:29])))
    st, e = upload(op, bytes(bomb))
    res.check(st == 400 and "over the limit" in e["error"]["message"],
              f"a decompression bomb (100,000 × 100,000 in its header) is refused: {e}")
    st, e = upload(op, b"\x89PNG\r\n\x1a\n" + os.urandom(310000))
    res.check(st == 413 and e["error"]["field"] == "file", "a file over evidence.max_bytes is refused (413)")
    st, e = upload(op, genuine, "?report_id=RPT-2099-000001")
    res.check(st == 404 and e["error"]["field"] == "report_id", "an unknown report is refused (404, report_id)")
    st, e = j(call(base, op, "POST", "/api/v1/slips/verify", {"payload": "x" * 600}))
    res.check(st == 400 and e["error"]["field"] == "payload", "an overlong payload is refused")
    st, e = j(call(base, op, "POST", "/api/v1/slips/verify", {"payload": good_payload, "claimed": {"amount_satang": -5}}))
    res.check(st == 400 and e["error"]["field"] == "claimed.amount_satang", "a negative claimed amount is refused")
    st, _ = j(call(base, None, "GET", "/readyz"))
    res.check(st == 200 and server.proc.poll() is None, "the server is up and ready afterwards")
    code = server.stop()
    res.check(code == 0, f"it stops cleanly (exit {code})")

    # After a restart the index is rebuilt from the store: the reuse is still found.
    server.start()
    st, listing = j(call(server.base, op, "GET", f"/api/v1/cases/{c1}/evidence"))
    res.check(st == 200 and any(i["sha256"] == sha1 and i["reuse"] for i in listing.get("items", [])),
              "after a restart the reuse is found again (the index follows the change sequence)")
    server.stop()


if __name__ == "__main__":
    main()
