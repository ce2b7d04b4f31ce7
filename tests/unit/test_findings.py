"""resolve_overlaps: the kept subset is the same as the plain all-pairs rule gives."""

import random

from aegis_addons.detect.findings import Finding, resolve_overlaps


def all_pairs(findings):
    """The definition: by score, then length, then start, keep what overlaps nothing kept so far."""
    kept = []
    for f in sorted(findings, key=lambda f: (-f.score, -f.length, f.start)):
        if all(not f.overlaps(k) for k in kept):
            kept.append(f)
    return sorted(kept, key=lambda f: f.start)


def test_same_subset_as_the_all_pairs_rule():
    rng = random.Random(1)
    for _ in range(2000):
        findings = []
        for _ in range(rng.randint(0, 30)):
            start = rng.randint(0, 60)
            end = start + rng.choice([0, 0, 1, 2, 3, 5, 8, 20])  # empty spans too
            findings.append(Finding("x.y", start, end, rng.choice([0.5, 0.6, 0.9]), f"r{rng.randint(0, 3)}"))
        assert resolve_overlaps(findings) == all_pairs(findings)


def test_many_findings_chained_by_overlap():
    # '; id ' * 10000 gave 10,000 findings whose all-pairs check took seconds
    findings = [Finding("x.y", 5 * i, 5 * i + 4, 0.6, "a") for i in range(10_000)]
    findings += [Finding("x.y", 5 * i + 2, 5 * i + 7, 0.6, "b") for i in range(10_000)]
    kept = resolve_overlaps(findings)
    assert len(kept) == 10_000 and all(a.end <= b.start for a, b in zip(kept, kept[1:]))


def test_audit_rows_store_a_bounded_number_of_findings():
    """Thousands of matches of one rule must not make a row of megabytes, nor hide the other categories."""
    from aegis_addons.addons.audit import stored_findings
    from aegis_addons.detect.findings import Finding
    flood = [Finding("injection.override", i, i + 5, 0.9, "override_previous_en") for i in range(5000)]
    findings = flood[:10] + [Finding("pii.email", 9000, 9010, 0.6, "email")] + flood[10:]
    stored, note = stored_findings(findings, limit=50)
    assert len(stored) == 50
    assert {s["category"] for s in stored} == {"injection.override", "pii.email"}
    assert [s["category"] for s in stored].index("pii.email") == 10  # detection order kept
    assert note == "findings: 4951 more not stored (injection.override 4951)"
    few = findings[:20]
    assert stored_findings(few, limit=50) == ([{"category": f.category, "score": round(f.score, 3),
                                                "rule": f.rule, "detail": f.detail} for f in few], None)
