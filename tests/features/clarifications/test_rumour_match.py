"""The rumour matcher over the first fixed set of messages that should and should not match
(written for the matcher before issue #22, kept as a regression check), and its parts: reading
chat Vietnamese, denials by structure, questions, near misses, officers' exceptions."""

from __future__ import annotations

import pytest

from bot.features.clarifications.rumour_match import (
    Match,
    Rumour,
    Shape,
    Verdict,
    best_match,
    tokens,
    usable,
)


def answered(text: str, rumours: list[Rumour]) -> Match | None:
    """The match the watch answers in the group (None: it stays quiet there)."""
    found = best_match(text, rumours)
    return found if found is not None and found.verdict == Verdict.SURE else None


# Four clarifications, with the phrases an officer would register for each.
PHRASES = {
    1: ("tiêm vắc xin HPV gây vô sinh", "HPV gây vô sinh"),
    2: ("lá đu đủ chữa khỏi sốt xuất huyết",),
    3: ("đặt vòng tránh thai gây ung thư",),
    4: ("uống thuốc tránh thai khẩn cấp gây vô sinh", "thuốc tránh thai làm vô sinh"),
}
RUMOURS = [Rumour.of(key, p) for key, phrases in PHRASES.items() for p in phrases]

# (message, the clarification it repeats): without diacritics, in another order, inside
# longer messages, in capitals, with chat spellings, as a question.
SHOULD_MATCH = [
    ("Nghe nói tiêm vắc xin HPV gây vô sinh đó mọi người", 1),
    ("tiem vac xin hpv gay vo sinh", 1),
    ("Vô sinh là do tiêm vắc xin HPV đấy", 1),
    ("TIÊM VẮC XIN HPV GÂY VÔ SINH, CHIA SẺ NGAY!!!", 1),
    ("Con gái đừng tiêm HPV, vắc xin đó gây vô sinh", 1),
    ("mấy chị ơi vacxin HPV làm vô sinh thật hả", 1),
    ("Bên xã kia có người bảo tiêm vắc-xin HPV xong bị vô sinh", 1),
    ("vac xin hpv gay vo sinh o tre em gai", 1),
    ("Tiêm HPV bị vô sinh đó, đừng cho con đi tiêm", 1),
    ("hpv gây vô sinh", 1),
    (
        "Hôm qua đi chợ gặp bà Tư, bà bảo là tiêm vắc xin HPV cho con gái sẽ gây vô sinh sau "
        "này, nên nhà bà không cho cháu đi tiêm nữa.",
        1,
    ),
    ("Lá đu đủ chữa khỏi sốt xuất huyết, không cần đi viện", 2),
    ("la du du chua khoi sot xuat huyet", 2),
    ("sốt xuất huyết thì uống nước lá đu đủ là khỏi", 2),
    ("Ai bị sốt xuất huyết cứ lấy lá đu đủ giã uống là chữa khỏi nhé", 2),
    ("CHỮA SỐT XUẤT HUYẾT BẰNG LÁ ĐU ĐỦ, KHỎI NGAY", 2),
    ("nghe bảo la du du chua dc sot xuat huyet", 2),
    ("Mẹ chồng em bảo lá đu đủ chữa khỏi bệnh sốt xuất huyết cho trẻ", 2),
    ("Lá đu đủ trị sốt xuất huyết hiệu quả lắm", 2),
    ("Nhóm zalo bên kia đang truyền tai nhau la du du chua khoi sot xuat huyet, ai cũng tin", 2),
    ("Đặt vòng tránh thai gây ung thư đấy chị em ạ", 3),
    ("dat vong tranh thai gay ung thu", 3),
    ("Ung thư là do đặt vòng tránh thai", 3),
    ("Chị ấy bảo đặt vòng lâu năm gây ung thư tử cung", 3),
    ("đặt vòng tránh thai dễ bị ung thư lắm", 3),
    ("Vòng tránh thai gây ung thư cổ tử cung, các mẹ cẩn thận", 3),
    ("Có người share: 'đặt vòng tránh thai gây ung thư', thật không ạ?", 3),
    ("uong thuoc tranh thai khan cap gay vo sinh", 4),
    ("Thuốc tránh thai khẩn cấp uống vào là vô sinh luôn", 4),
    ("Nghe đồn thuốc tránh thai làm vô sinh, có đúng không các chị?", 4),
    ("vô sinh vì uống thuốc tránh thai khẩn cấp", 4),
]

# Messages that share words with a registered rumour but do not repeat it (many deny it).
SHOULD_NOT_MATCH = [
    "Lịch tiêm vắc xin HPV cho trẻ em gái 9-14 tuổi vào thứ Bảy tại trạm y tế",
    "Vắc xin HPV không gây vô sinh, Bộ Y tế đã khẳng định",
    "Khám vô sinh hiếm muộn ở bệnh viện tỉnh thứ mấy có bác sĩ?",
    "Tiêm vắc xin sởi cho trẻ 9 tháng tuổi",
    "Sốt xuất huyết đang tăng, mọi người diệt lăng quăng, đậy kín chum vại",
    "Lá đu đủ non nấu canh ăn rất ngon",
    "Nếu bị sốt xuất huyết hãy đến trạm y tế, không tự chữa bằng lá cây",
    "Đặt vòng tránh thai miễn phí tại trạm y tế xã trong tháng 12",
    "Tầm soát ung thư cổ tử cung cho phụ nữ từ 30 tuổi",
    "Đặt vòng tránh thai không gây ung thư, chị em yên tâm",
    "Thuốc tránh thai khẩn cấp chỉ dùng khi cần, hỏi cán bộ dân số để được tư vấn",
    "Uống thuốc tránh thai hằng ngày đúng giờ",
    "Bé nhà em bị sốt, có phải sốt xuất huyết không?",
    "Vô sinh nam có chữa được không bác sĩ?",
    "HPV là virus gây ung thư cổ tử cung, nên tiêm phòng",
    "Tiêm vắc xin HPV an toàn, không gây vô sinh như tin đồn",
    "Ai biết chỗ bán lá đu đủ đực không?",
    "Tuần này trạm y tế phun thuốc diệt muỗi phòng sốt xuất huyết",
    "Họp giao ban về phòng chống sốt xuất huyết và tiêm chủng HPV",
    "Chị em nào muốn đặt vòng thì đăng ký với cộng tác viên nhé",
    "vac xin hpv tiem may mui?",
    "Thông tin tiêm HPV gây vô sinh là sai sự thật",
    "Bộ Y tế bác bỏ tin đặt vòng tránh thai gây ung thư",
    "Đính chính: lá đu đủ không chữa được sốt xuất huyết",
    "Sốt xuất huyết có vắc xin chưa các chị?",
    "Nhà em trồng đu đủ, lá nhiều lắm ai lấy không",
    "Con em tiêm HPV mũi 2 rồi, không sao cả",
    "Ung thư vú có liên quan gì đến thuốc tránh thai không?",
    "Vòng tránh thai đặt được bao lâu thì phải thay?",
    "Tiêm vắc xin xong bị sốt nhẹ là bình thường",
    "Uống thuốc hạ sốt khi bị sốt xuất huyết theo hướng dẫn bác sĩ",
    "Sốt xuất huyết là bệnh nguy hiểm, đừng chủ quan",
]


def test_precision_and_recall_on_the_fixed_set() -> None:
    """At least 30 messages each way; precision and recall both reach 0.95 (printed)."""
    assert len(SHOULD_MATCH) >= 30 and len(SHOULD_NOT_MATCH) >= 30
    true_pos = false_neg = false_pos = 0
    misses: list[str] = []
    for text, key in SHOULD_MATCH:
        found = answered(text, RUMOURS)
        if found is not None and found.key == key:
            true_pos += 1
        else:
            false_neg += 1
            misses.append(f"missed ({key}): {text}")
        if found is not None and found.key != key:
            false_pos += 1
            misses.append(f"wrong clarification {found.key} for: {text}")
    for text in SHOULD_NOT_MATCH:
        found = best_match(text, RUMOURS)
        if found is not None and found.verdict in (Verdict.SURE, Verdict.UNSURE):
            false_pos += 1
            misses.append(f"false alarm ({found.key}, {found.score}): {text}")
    precision = true_pos / (true_pos + false_pos) if true_pos + false_pos else 0.0
    recall = true_pos / (true_pos + false_neg)
    print(
        f"\nrumour matcher: {len(SHOULD_MATCH)} should match, {len(SHOULD_NOT_MATCH)} should "
        f"not; precision {precision:.3f}, recall {recall:.3f}"
    )
    for line in misses:
        print("  " + line)
    assert precision >= 0.95 and recall >= 0.95, misses


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Vắc-xin HPV", ["<tiem>", "hpv"]),
        ("vacxin", ["<tiem>"]),
        ("Chích ngừa xong bị vô sinh", ["<tiem>", "<gay>", "<vosinh>"]),
        ("chữa khỏi", ["<chua>"]),
        ("chưa khỏi", ["<khong>", "<chua>"]),
        ("lá đu đủ là", ["du"]),
        ("ko gây ra", ["<khong>", "<gay>"]),
        ("dẫn đến vô sinh", ["<gay>", "<vosinh>"]),
        ("vk đc lấy nhiều ck", ["<vo>", "lay", "<chong+>"]),
        ("cho phụ nữ cưới 2 chồng", ["<vo>", "lay", "<chong+>"]),
        ("đẻ con thứ 3 thoải mái", ["sinh", "<con3>", "<ok>"]),
        ("cb giờ đc đẻ đứa thứ ba", ["<canbo>", "gio", "sinh", "<con3>"]),
        ("họp thứ 3", ["hop", "thu", "ba"]),  # Tuesday, not a third child
        ("mấy bà ơi vợ được lấyyy nhiều chồnggg rồiii", ["may", "bà", "<vo>", "lay", "<chong+>"]),
        ("bỏ qđ77", ["bo", "quyet", "dinh", "77"]),
        ("tiêm vào là sau này ko đẻ được", ["<tiem>", "<gay>", "<vosinh>"]),
    ],
)
def test_tokens_unify_spellings(text: str, expected: list[str]) -> None:
    """Diacritics, hyphens, teencode, digits, drawn-out letters and words of one meaning
    become the same words."""
    assert tokens(text) == expected


def test_short_phrases_are_not_usable() -> None:
    """A phrase of fewer than three words would catch ordinary talk."""
    assert not usable("vô sinh")
    assert not usable("không gây")
    assert usable("HPV gây vô sinh")


def test_a_rumour_that_is_a_negation() -> None:
    """A claim with "không" matches only where the negation is said, and not when denied."""
    rumours = [Rumour.of(5, "trẻ không cần tiêm nhắc lại sởi")]
    assert answered("nghe nói tre ko can tiem nhac lai soi nữa", rumours) is not None
    assert answered("Trẻ vẫn cần tiêm nhắc lại vắc xin sởi", rumours) is None
    assert answered("Trẻ không cần tiêm nhắc lại sởi là tin sai", rumours) is None


def test_the_best_of_several_clarifications_wins() -> None:
    """Words shared by two rumours: the one the message repeats more fully is chosen."""
    found = best_match("uống thuốc tránh thai khẩn cấp gây vô sinh", RUMOURS)
    assert found is not None and found.key == 4


MANY_HUSBANDS = [Rumour.of(7, "vợ được lấy nhiều chồng"), Rumour.of(7, "phụ nữ được lấy 2 chồng")]


@pytest.mark.parametrize(
    "text",
    [
        "Không có chuyện phụ nữ được lấy nhiều chồng đâu",
        "Sửa luật không có nghĩa là vợ được lấy nhiều chồng, đừng hiểu nhầm",
        "Vợ được lấy nhiều chồng là hiểu sai nhé",
        "Vợ được lấy nhiều chồng là tin đồn thất thiệt, đừng tin",
        "Đừng tin mấy cái link bảo phụ nữ được lấy hai chồng, toàn bịa đặt",
        "Làm gì có chuyện vk đc lấy nhiều ck, toàn tin vớ vẩn",
        "Ai bảo vợ được lấy nhiều chồng thì đọc bài của Bộ Tư pháp nhé, toàn chuyện nhảm",
        "Pháp luật không hề cho phép vợ lấy nhiều chồng",
        "Chả có luật nào cho vợ lấy nhiều chồng cả",
        "Vợ được lấy nhiều chồng là tin đồn",
    ],
)
def test_denials_in_everyday_words(text: str) -> None:
    """The issue's denials: negation reaching over the claim, before or after it."""
    found = best_match(text, MANY_HUSBANDS)
    assert found is not None and found.verdict == Verdict.DENIED


@pytest.mark.parametrize(
    "text",
    [
        "Có thật là vợ được lấy nhiều chồng không?",
        "vk dc lay nhieu ck phai k mn",
        "Vợ lấy 2 chồng có hợp pháp ko vậy?",
        "Ủa vk được lấy thêm ck thật hả",
        "Có phải vợ được lấy nhiều chồng không, nghe bảo luật mới rồi",
        "Vợ được lấy nhiều chồng là tin đồn hay thật vậy?",
        "Nghe tin đồn là vợ được lấy nhiều chồng, thật hả mn",
    ],
)
def test_questions_are_answered_not_denied(text: str) -> None:
    """ "… không?" closing a question asks; the clarification answers it."""
    assert answered(text, MANY_HUSBANDS) is not None


@pytest.mark.parametrize(
    "text",
    [
        "Dạo này có tin đồn là vợ được lấy nhiều chồng đấy",  # telling of it, or warning?
        "Đừng tin. Vợ được lấy nhiều chồng là chuyện trên mạng",  # a denial a sentence before
        "Vợ được lấy nhiều chồng là tin giả à?",  # asking whether it is false
        "Phụ nữ giờ được có nhiều chồng cùng lúc",  # a wording just short of the phrases
    ],
)
def test_unsure_is_told_not_answered(text: str) -> None:
    found = best_match(text, MANY_HUSBANDS)
    assert found is not None and found.verdict == Verdict.UNSURE, found


def test_an_exception_holds_for_its_shape() -> None:
    """An officer's "không phải tin đồn" keeps the words around the claim: the same shape is
    excepted whichever wording of the rumour sits in it; other talk is not."""
    marked = "Ai bảo vợ được lấy nhiều chồng thì đọc lại Luật Hôn nhân và gia đình nhé"
    shape = Shape.parse(7, Shape.of(7, marked, MANY_HUSBANDS).stored())  # as kept in the store
    assert {"doc", "luat", "hon", "nhan"} <= shape.frame and "<chong+>" not in shape.frame
    assert "vợ" not in Shape.of(7, marked, MANY_HUSBANDS).stored(), "words as read, not the text"
    same = "Ai bảo vk đc lấy 2 ck thì đọc lại luật hôn nhân gia đình nha"
    found = best_match(same, MANY_HUSBANDS, [shape])
    assert found is not None and found.verdict == "excepted"
    assert answered("vk đc lấy nhiều ck đó mấy bà", MANY_HUSBANDS) is not None
    other = best_match("vk đc lấy nhiều ck đó mấy bà", MANY_HUSBANDS, [shape])
    assert other is not None and other.verdict == Verdict.SURE
    elsewhere = Shape.of(8, marked, MANY_HUSBANDS)  # another clarification's exception
    assert best_match(same, MANY_HUSBANDS, [elsewhere]).verdict == Verdict.SURE  # type: ignore[union-attr]


def test_older_records_read_with_the_new_fields_empty() -> None:
    """Clarifications and sightings stored before #22 have no exceptions, sure or taught: they
    read with the defaults (so no migration step), and a sighting then counts as before."""
    from datetime import UTC, datetime

    from bot.core.models import Clarification, RumourSighting
    from bot.features.clarifications.rumour_counts import counted
    from bot.store.engine.codec import decode, encode

    c = encode(Clarification(1, "R1", "Sai.", ("vợ được lấy nhiều chồng",), datetime.now(UTC)))
    s = encode(RumourSighting(1, 1, "telegram::-5", "R1", "u", "Hoa", "…", datetime.now(UTC)))
    for record in (c, s):
        for new in ("exceptions", "sure", "taught"):
            record.pop(new, None)
    assert decode(Clarification, c).exceptions == ()
    old = decode(RumourSighting, s)
    assert old.sure and old.taught == "" and counted(old)
