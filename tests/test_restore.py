"""Tests of normalize.restore: helpers, the API contract, and leave-one-out accuracy floors."""
from __future__ import annotations

import itertools

import numpy as np
import pytest

from kehoach.normalize.restore import Restorer, RestoreResult
from kehoach.normalize.restore.compiled import load_model
from kehoach.normalize.restore.channel import aligned_chars, pair_to_chunks
from kehoach.normalize.restore.decode import ID_BITS, NEG, IntHash, bigrams_to_kept, pairs_to_bonus, segments_to_best
from kehoach.normalize.restore.text import canonical_tone, core_kind, fold, marks_distance, token_to_parts
from kehoach.normalize.restore.train import build_model, corpus_text, evaluate_doc


@pytest.mark.parametrize("word, expected", [
    ("hoá", "hóa"), ("thuỷ", "thủy"), ("Uỷ", "Ủy"), ("quý", "quý"), ("hoạch", "hoạch"),
    ("toán", "toán"), ("của", "của"),
])
def test_canonical_tone(word: str, expected: str) -> None:
    assert canonical_tone(word) == expected


@pytest.mark.parametrize("raw, gold, chunk", [
    ("ciia", "của", ("ii", "u")), ("s6", "số", ("6", "o")), ("pang", "đảng", ("p", "d")),
    ("x&", "xã", ("&", "a")), ("s", "số", ("s", "so")),
])
def test_pair_to_chunks_finds_the_confusion(raw: str, gold: str, chunk: tuple[str, str]) -> None:
    assert chunk in pair_to_chunks(raw, fold(gold))


@pytest.mark.parametrize("token, parts, kind", [
    ("(Bon),", ("(", "Bon", "),"), "word"),
    ("02-KH/BCDTW", ("", "02-KH/BCDTW", ""), "code"),
    ("19/6/2025", ("", "19/6/2025", ""), "code"),
    ("2025.", ("", "2025", "."), "number"),
    ("1¢", ("", "1¢", ""), "word"),
    ("hoa—", ("", "hoa", "—"), "word"),
    ("57-", ("", "57", "-"), "number"),
    ("chuy@n", ("", "chuy@n", ""), "word"),          # old OCR's @ for ê inside a word
    ("ubnd@sonla.gov.vn", ("", "ubnd@sonla.gov.vn", ""), "code"),
    ("5G", ("", "5G", ""), "code"), ("1a", ("", "1a", ""), "word"),  # 1a is là misread
    ("$6,", ("", "$6", ","), "word"),  # eng OCR's $ for S: số
    ("&", ("", "&", ""), "other"), ("$", ("", "$", ""), "other"),  # alone: the symbol itself
    ("¢", ("", "¢", ""), "word"),  # alone still a letter misread (có)
])
def test_token_to_parts_and_kind(token: str, parts: tuple, kind: str) -> None:
    assert token_to_parts(token) == parts
    assert core_kind(parts[1]) == kind


@pytest.fixture(scope="module")
def restorer() -> Restorer:
    return Restorer.load()


@pytest.mark.parametrize("raw, gold", [
    ("Ké hoach s6 02-KH/BCDTW ngay 19/6/2025 ciia Ban Chi dao",
     "Kế hoạch số 02-KH/BCĐTW ngày 19/6/2025 của Ban Chỉ đạo"),
    ("Trung wong vé phat trién khoa hec, cong nghé, déi méi sang tao va",
     "Trung ương về phát triển khoa học, công nghệ, đổi mới sáng tạo và"),
    ("Quyết định số 06/QD-TTg", "Quyết định số 06/QĐ-TTg"),
])
def test_restore_corpus_phrasings(restorer: Restorer, raw: str, gold: str) -> None:
    assert restorer.restore_text(raw).text == gold


@pytest.mark.parametrize("raw, fixed", [
    ("06/QP-TTg", "06/QĐ-TTg"), ("10-KH/DU", "10-KH/ĐU"), ("HDND&UBND", "HĐND&UBND"),
    ("02-KH/BCDTW", "02-KH/BCĐTW"), ("57-NQ/TW", "57-NQ/TW"), ("09/2025/ND-CP", "09/2025/NĐ-CP"),
])
def test_codes_fixed_only_to_known_abbreviations(restorer: Restorer, raw: str, fixed: str) -> None:
    assert restorer.restore_text(f"Thuc hien {raw} ngay").text.split()[2] == fixed


def test_restore_keeps_lines_tokens_and_reports_edits(restorer: Restorer) -> None:
    text = "  Ké hoach s6 02-KH/BCDTW\n\nngay 19/6/2025 ciia Ban\n"
    res = restorer.restore_text(text)
    assert isinstance(res, RestoreResult)
    assert [len(l.split()) for l in res.text.split("\n")] == [len(l.split()) for l in text.split("\n")]
    assert res.text.startswith("  Kế")
    lines = text.split("\n")
    for e in res.edits:
        assert lines[e.line].split()[e.index] == e.raw
        assert res.text.split("\n")[e.line].split()[e.index] == e.text
    assert {(e.line, e.index, e.text) for e in res.edits} >= {(0, 0, "Kế"), (2, 2, "của")}


def test_correct_text_and_urls_unchanged(restorer: Restorer) -> None:
    text = ("Căn cứ Kế hoạch số 02-KH/BCĐTW ngày 19/6/2025 của Ban Chỉ đạo Trung ương về phát triển "
            "khoa học, công nghệ, đổi mới sáng tạo và chuyển đổi số; xem https://dichvucong.gov.vn.")
    assert restorer.restore_text(text).text == text


def test_load_is_cached_and_pickles_as_its_path() -> None:
    import pickle

    r = Restorer.load()
    assert r is Restorer.load()
    data = pickle.dumps(r)
    assert len(data) < 10_000
    assert pickle.loads(data) is r


@pytest.fixture(scope="module")
def model_001() -> dict:
    """A model trained without 001-son-la."""
    return build_model({"001-son-la"})


@pytest.fixture(scope="module")
def fold_001(model_001: dict) -> dict:
    """One leave-one-out fold: trained without 001-son-la, scored on it."""
    return evaluate_doc("001-son-la", model=model_001, timing_runs=1)


def test_loo_raw_accuracy_floor(fold_001: dict) -> None:
    assert fold_001["raw"]["before"] < 0.2
    assert fold_001["raw"]["after"] >= 0.966  # measured 96.77% (95.70% before issue 14's second stop)


def test_capitalised_pairs_read_as_place_names(model_001: dict) -> None:
    # the old OCR of 001 prints its province 'Son La' (and 'SON LA') eight times; the LM,
    # trained without 001, prefers 'Sơn Là'; two words printed with capitals whose readings
    # are a pair of the national list of place names are read as that name
    lines = [line for line in corpus_text("001-son-la", "raw").splitlines() if "Son La" in line or "SON LA" in line]
    assert len(lines) >= 8
    r = Restorer(model_001)
    assert "sơn la" in model_001["name_pairs"]
    r.params["name_weight"] = 0.0
    without = [r.restore_text(line).text for line in lines]
    assert sum("Sơn Là" in t or "SƠN LÀ" in t for t in without) >= 6
    r.params["name_weight"] = Restorer.load().params["name_weight"]
    with_names = [r.restore_text(line).text for line in lines]
    assert all("Sơn La" in t or "SƠN LA" in t for t in with_names)
    # a pair in lower case is no name: whatever the weight, the LM alone reads it
    low = [line.replace("Son La", "son la").replace("SON LA", "son la") for line in lines]
    r.params["name_weight"] = 50.0
    heavy = [r.restore_text(line).text for line in low]
    r.params["name_weight"] = 0.0
    assert heavy == [r.restore_text(line).text for line in low]


@pytest.mark.parametrize("raw, gold", [
    # a short number after a word may end a clause, or come before a number or code: eng
    # OCR's digits for letters (tesseract eng of rendered plans: 46 for độ, 86 for số)
    ("chuẩn héa ché 46, biéu mau bao cao", "chuẩn hóa chế độ, biểu mẫu báo cáo"),
    ("doi tién 46, chat luong", "dõi tiến độ, chất lượng"),
    ("cia Théng tu 86 21/2023/TT-BTTTT ngay 31/12/2023", "của Thông tư số 21/2023/TT-BTTTT ngày 31/12/2023"),
    ("và chuyén déi $6, nang cao", "và chuyển đổi số, nâng cao"),
    # numbers the LM wants kept stay numbers
    ("trong nam 2025, cac", "trong năm 2025, các"),
    ("Diéu 5, khoan 2 cia Luat", "Điều 5, khoản 2 của Luật"),
])
def test_digits_for_letters_read_in_context(restorer: Restorer, raw: str, gold: str) -> None:
    assert restorer.restore_text(raw).text == gold


def test_pairs_to_bonus_scores_flagged_listed_pairs_only() -> None:
    ids = np.array([[7, -1], [7, -1], [1, 2], [3, 4], [5, -1]], dtype=np.int64)
    flags = np.array([False, False, True, True, False])
    keys = np.array(sorted([(1 << ID_BITS) | 4, (2 << ID_BITS) | 3, (3 << ID_BITS) | 5]), dtype=np.int64)
    bonus = pairs_to_bonus(ids, flags, keys, 2.0)
    assert bonus.shape == (5, 2, 2)
    assert bonus[3].tolist() == [[0.0, 2.0], [2.0, 0.0]]  # (1, 4) and (2, 3) at rows 2 -> 3
    assert not bonus[[0, 1, 2, 4]].any()  # row 4 is not flagged: (3, 5) earns nothing
    assert pairs_to_bonus(ids, flags, keys, 0.0) is None
    assert pairs_to_bonus(ids, np.zeros(5, dtype=bool), keys, 2.0) is None


def test_loo_correct_text_mostly_unchanged(fold_001: dict) -> None:
    assert fold_001["clean"]["after"] >= 0.999  # measured 99.96%


def test_loo_vie_ocr_improves(fold_001: dict) -> None:
    assert fold_001["vie"]["after"] >= 0.982  # measured 98.41% (OCR itself 95.68%)
    assert fold_001["vie"]["after"] >= fold_001["vie"]["before"] + 0.025


def test_int_hash_finds_every_key_and_no_other() -> None:
    rng = np.random.default_rng(0)
    keys = np.unique(rng.integers(0, 2 ** 40, 5000))
    values = rng.random(len(keys)).astype(np.float32)
    table = IntHash(keys, values)
    found, got = table.lookup(keys)
    assert found.all() and np.array_equal(got, values)
    others = np.setdiff1d(rng.integers(0, 2 ** 40, 5000), keys)
    assert not table.lookup(others)[0].any()


def test_int_hash_keys_probing_past_the_end_wrap_to_the_start() -> None:
    # keys whose home is the last slot run past the end: they take the first free slots
    # from the start, after the keys whose home is there, and are all found
    rng = np.random.default_rng(1)
    candidates = np.unique(rng.integers(0, 2 ** 40, 200_000))
    probe = IntHash(candidates[:10], np.zeros(10, dtype=np.float32))  # a table of 32 slots
    home = probe._slots(candidates)
    last = candidates[home == len(probe.keys) - 1][:4]
    first = candidates[home == 0][:2]
    keys = np.concatenate([last, first, candidates[(home > 3) & (home < 20)][:5]])
    values = np.arange(len(keys), dtype=np.float32)
    table = IntHash(keys, values)
    assert len(table.keys) == 32
    assert set(table.keys[:5]) == set(last[1:]) | set(first)  # 3 wrapped, 2 at home
    found, got = table.lookup(keys)
    assert found.all() and np.array_equal(got, values)
    assert not table.lookup(np.setdiff1d(candidates[:1000], keys))[0].any()


def _brute_force_best(scores: np.ndarray, start: int, end: int) -> list[int]:
    """Every slot sequence of one segment (after its two boundaries), scored with T."""
    k = scores.shape[1]
    best, arg = -np.inf, None
    for seq in itertools.product(range(k), repeat=end - start - 2):
        slots = [0, 0, *seq]
        s = sum(scores[start + t, slots[t - 2], slots[t - 1], slots[t]] for t in range(2, end - start))
        if s > best:
            best, arg = s, seq
    return list(arg)


def test_trigram_viterbi_is_exact_on_segments_of_any_length() -> None:
    rng = np.random.default_rng(1)
    lengths = [5, 3, 6, 4]  # two boundaries + 3, 1, 4, 2 tokens
    n, k = sum(lengths), 3
    scores = rng.normal(size=(n, k, k, k)).astype(np.float32)
    starts = np.cumsum([0] + lengths[:-1])
    ends = starts + lengths
    best = segments_to_best(scores, starts, ends)
    for s, e in zip(starts, ends):
        assert list(best[s + 2:e]) == _brute_force_best(scores, s, e)


def test_bigram_pass_keeps_the_best_path() -> None:
    rng = np.random.default_rng(2)
    n, k = 7, 4
    low = rng.normal(size=(n, k, k)).astype(np.float32)
    low[:, :, 1:][[0, 1]] = NEG  # the boundaries have one slot
    kept = bigrams_to_kept(low, np.array([0]), np.array([n]), keep=2, margin=100.0)
    # the best bigram path, by brute force, survives in every position
    paths = itertools.product(range(k), repeat=n - 2)
    best = max(paths, key=lambda p: sum(low[t, ([0, 0, *p])[t - 1], ([0, 0, *p])[t]] for t in range(2, n)))
    for t, slot in enumerate(best, start=2):
        assert slot in kept[t]


@pytest.mark.parametrize("raw, word, pairs", [
    ("vé", "về", [("v", "v"), ("é", "ề")]),
    ("ciia", "của", [("c", "c")]),  # ii|ủ and a|a: lengths differ, aligned by edit distance
])
def test_aligned_chars(raw: str, word: str, pairs: list) -> None:
    assert set(pairs) <= set(aligned_chars(raw, word))


@pytest.mark.parametrize("a, b, n", [("tổnig", "tổng", 0), ("tổnig", "tông", 1), ("di", "đi", 1), ("chỉ", "chí", 1)])
def test_marks_distance(a: str, b: str, n: int) -> None:
    assert marks_distance(a, b) == n


def test_long_texts_are_decoded_in_groups_of_whole_sentences() -> None:
    from kehoach.normalize.restore.model import _segment_groups

    groups = _segment_groups([[1] * 3, [1] * 4, [1] * 2, [1] * 9, [1]], 6)
    assert [[len(s) for s in g] for g in groups] == [[3], [4, 2], [9], [1]]


@pytest.mark.parametrize("text", ["", "\n\n", "  ", "123 456", "...", "- 02-KH/BCĐTW;"])
def test_texts_without_words_pass_through(restorer: Restorer, text: str) -> None:
    assert restorer.restore_text(text).text == text


@pytest.mark.parametrize("text", ["khong co gi {run} va", "không có gì {run} và"])
def test_a_token_of_thousands_of_letters_is_kept(restorer: Restorer, text: str) -> None:
    # OCR noise can glue a line into one token: the candidate search must neither recurse
    # once per letter (RecursionError past ~1000) nor try it as two syllables run together
    run = "ab" * 1500
    assert restorer.restore_text(text.format(run=run)).text.split()[3] == run


def test_shipped_candidate_lists_are_what_the_code_computes(restorer: Restorer) -> None:
    # the model ships candidate lists checked only against its parameters: a change to the
    # candidate search without `make model` would make a fresh process restore differently
    assert restorer.cand_table, "the bundled model ships no candidate lists"
    fresh = Restorer(*load_model(restorer.source))  # as a fresh process loads it
    fresh.cand_table = {}
    stale = [k for k, listed in restorer.cand_table.items()
             if [[w, round(c, 3)] for w, c in fresh._candidates(k.lower(), False, k.isupper())] != listed]
    assert not stale, f"retrain the model (make model): stale candidate lists for {stale[:10]}"


@pytest.mark.parametrize("text", [
    "Thời gian hoàn thành: Quý II năm 2027.",
    "Quý I và Quý IV năm 2026, mục II, phần III; Phụ lục VIII.",
])
def test_roman_numerals_are_kept(restorer: Restorer, text: str) -> None:
    """A Roman numeral changed ('Quý II' -> 'Quý III') would move a deadline or a section."""
    assert restorer.restore_text(text).text == text


def test_roman_numeral_check_leaves_syllables_alone(restorer: Restorer) -> None:
    """VI and XI are also syllables: an old-OCR heading 'DON VI' still becomes 'ĐƠN VỊ'."""
    assert restorer.restore_text("DON VI CHU TRI").text == "ĐƠN VỊ CHỦ TRÌ"


@pytest.fixture(scope="module")
def unseen_figures() -> dict:
    """The unseen plans' rows (bundled model; these plans are never trained on)."""
    from kehoach.bench.restore import unseen_rows

    return {(r["doc"], r["input"]): r for r in unseen_rows()}


def test_unseen_old_ocr_floor(unseen_figures: dict) -> None:
    assert unseen_figures[("unseen (all)", "raw")]["before"] < 0.2
    assert unseen_figures[("unseen (all)", "raw")]["after"] >= 0.932  # measured 93.48% (90.11% before per-context backoff, glued words, numerals, two-edit readings; 92.63% before place-name pairs and more eng renderings)
    assert unseen_figures[("unseen (all)", "stripped")]["after"] >= 0.975  # measured 98.21% (96.88%)


def test_unseen_correct_text_mostly_unchanged(unseen_figures: dict) -> None:
    assert unseen_figures[("unseen (all)", "clean")]["after"] >= 0.999  # measured 99.96% (99.89%)


def test_text_typed_without_marks_keeps_its_letters(restorer: Restorer) -> None:
    """Marks stripped, letters intact: only marks are chosen, even where the LM knows a
    common phrase one letter away ('xa huong' is xã hướng here, not xu hướng)."""
    text = ("Buu dien xa huong dan nguoi dan kich hoat tai khoan dinh danh dien tu. "
            "Uy ban nhan dan xa chu tri, phoi hop voi cac co quan lien quan.")
    out = restorer.restore_text(text).text
    assert out.startswith("Bưu điện xã hướng dẫn người dân")
    assert [fold(w) for w in out.split()] == [fold(w) for w in text.split()]


def test_old_ocr_is_not_read_as_stripped_text(restorer: Restorer) -> None:
    """Old OCR misreads letters ('cia' for của, 's6' for số): its letters may still change."""
    from kehoach.core.corpus import CORPUS

    raw = (CORPUS / "raw" / "001-son-la.txt").read_text(encoding="utf-8")
    cores = [token_to_parts(t)[1] for t in raw.split()]
    words = [c for c in cores if core_kind(c) == "word"]
    assert not restorer._is_clean(words) and not restorer._is_stripped(words)
    assert restorer.restore_text("Ke hoach cia Uy ban nhan dan tinh").text == "Kế hoạch của Ủy ban nhân dân tỉnh"


@pytest.mark.parametrize("text, expected", [
    # two words OCR glued with a stray mark: each part read in its context, the mark kept
    ("Bao dam dif liéu'ciia nganh dung, du", "liệu'của"),
    ("chuyén déi s6 cia dién-tinh", "điện-tỉnh"),
    # tesseract eng prints a lost mark as an opening quote glued between words
    ("Can cir Ké hoach sé 02-KH/BCDTW ngay 19/6/2025 cia‘Ban Chi dao", "của‘Ban"),
    ("phat trién khoa hoc, céng nghé“déi méi sang tao", "nghệ“đổi"),
    # marks stripped from a hyphenated pair (kinh tế-xã hội)
    ("phat trien kinh te-xa hoi cua dia phuong", "tế-xã"),
])
def test_words_glued_by_a_mark_are_read_part_by_part(restorer: Restorer, text: str, expected: str) -> None:
    out = restorer.restore_text(text).text
    assert expected in out.split()
    assert len(out.split()) == len(text.split())  # still one output token per input token


def test_correct_hyphenated_pair_is_kept(restorer: Restorer) -> None:
    text = "Phát triển kinh tế-xã hội gắn với chuyển đổi số của xã."
    assert restorer.restore_text(text).text == text


def test_words_no_learned_rewrite_reads_get_syllables_two_edits_away(restorer: Restorer) -> None:
    """Old OCR misreads no training pair taught (hudng, ngw0i, thivc, truvéng): the
    syllables at most two edits away are candidates, the LM picks among them."""
    text = ("Uy ban nhan dan xa chi dao cac phong, ban hudng dan ngw0i dan thivc hién thanh toan "
            "khong ding tién mat. Bao vé méi truvéng va tai nguyén nudc tai dia phuong.")
    out = restorer.restore_text(text).text.split()
    for word in ("hướng", "người", "thực", "trường"):
        assert word in out
    assert restorer.restore_text("Ket noi Internet va fhl").text.split()[2:] == ["Internet", "và", "fhl"]


@pytest.mark.parametrize("raw", [
    "Sở Nông nghiệp & PTNT tỉnh",
    "Trung tam Xuc tien dau tu & thuong mai",
    "muc thu 20 $ moi nguoi",
])
def test_a_symbol_standing_alone_is_printed_as_it_is(restorer: Restorer, raw: str) -> None:
    out = restorer.restore_text(raw).text.split()
    symbol = next(t for t in raw.split() if t in "&$")
    assert symbol in out and len(out) == len(raw.split())

