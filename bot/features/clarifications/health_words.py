"""Words of one meaning in population-health talk, so a rumour matches however it is worded.

"tiêm vắc xin", "chích ngừa", "vaccine" are one thing; so are "vô sinh", "hiếm muộn", "không có
con được"; "cán bộ", "công chức", "đảng viên"; "nhiều chồng", "2 chồng", "thêm chồng". Each run
of (already spelled) words becomes one token, which a phrase and a message share whichever way
each was typed. Words that only link a claim ("gây", "làm", "bị", "dẫn đến") become CAUSE.
"""

from __future__ import annotations

from bot.features.clarifications.chat_words import CURE, NEG

CAUSE = "<gay>"
VACCINE, INFERTILE, CANCER, IUD = "<tiem>", "<vosinh>", "<ungthu>", "<vong>"
OFFICIAL, THIRD_CHILD, HUSBANDS, WOMAN, ALLOWED = "<canbo>", "<con3>", "<chong+>", "<vo>", "<ok>"
# Concept tokens weigh more than ordinary words in a phrase; CAUSE less (see rumour_match).
CONCEPTS = frozenset((VACCINE, INFERTILE, CANCER, IUD, OFFICIAL, THIRD_CHILD, HUSBANDS, ALLOWED))


# Asked as "… có con được không?": the question is whether one becomes unable to (the closing
# "không" is put back before it, so the run reads as INFERTILE; see denials.find_cues).
ASKED_WITH_NEG = (
    ("co", "con", "duoc"), ("sinh", "con", "duoc"), ("sinh", "duoc"), ("co", "bau", "duoc"),
    ("co", "thai", "duoc"), ("co", "con"),
)  # fmt: skip


def _runs(token: str, runs: str) -> dict[tuple[str, ...], str]:
    """`runs`: runs of words separated by ";" (NEG stands for the negation)."""
    return {tuple(run.replace("NEG", NEG).split()): token for run in runs.split(";")}


WORDS: dict[tuple[str, ...], str] = {
    **_runs(
        VACCINE,
        "tiem; chich; vac xin; tiem chung; tiem phong; tiem ngua; chich ngua; mui tiem",
    ),
    **_runs(
        INFERTILE,
        "vo sinh; vô sinh; hiem muon; kho co con; NEG co con; NEG co con duoc; "
        "NEG sinh duoc; NEG sinh con duoc; NEG de duoc; NEG de con duoc; "
        "mat kha nang sinh con; mat kha nang sinh san; mat kha nang lam me; triet san; "
        "tuyet tu; NEG co thai duoc; NEG co bau duoc; anh huong sinh con; "
        "anh huong den sinh con; anh huong kha nang sinh con; anh huong sinh san; "
        "anh huong den kha nang sinh san",
    ),
    **_runs(CANCER, "ung thu; NEG tu cung; NEG co tu cung"),  # "bị K tử cung"
    **_runs(IUD, "dat vong; vong tranh thai; dat vong tranh thai"),
    **_runs(
        OFFICIAL,
        "can bo; cong chuc; vien chuc; dang vien; can bo cong chuc; "
        "can bo cong chuc vien chuc; nguoi nha nuoc; lam nha nuoc",
    ),
    **_runs(THIRD_CHILD, "con thu ba; ba con; con thu ba tro len; them con thu ba"),
    # "đẻ đứa thứ ba", "sinh thêm con thứ 3": "thứ ba" alone is also Tuesday.
    **_runs(
        f"sinh {THIRD_CHILD}",
        "sinh thu ba; sinh con thu ba; sinh them thu ba; sinh them con thu ba; de thu ba; "
        "de con thu ba; de them thu ba; de them con thu ba",
    ),
    **_runs(
        HUSBANDS,
        "nhieu chong; hai chong; may chong; them chong; ba chong; chong thu hai; "
        "them chong thu hai; nhieu chong mot luc",
    ),
    **_runs(WOMAN, "vo; phu nu; dan ba; con gai; chi em; nguoi vo"),
    **_runs(
        ALLOWED,
        "thoai mai; tuy y; tu do; cho phep; duoc phep; hop phap; NEG sao; "
        "NEG bi ky luat; NEG con bi ky luat; NEG bi phat; NEG ai phat; NEG bi xu ly; "
        "NEG con bi xu ly; NEG pham luat; cong nhan; NEG bi gi; NEG bi ky luat gi",
    ),
    **_runs(
        CAUSE,
        "gay; gay ra; lam; lam cho; bi; khien; khien cho; do; vi; dan den; xong; vao; "
        "xong bi; vao bi; sau",
    ),
    **_runs(CURE, "chua; tri; khoi; dieu tri; chua khoi; chua tri"),
    **_runs("sinh", "de con; de them; sinh con; sinh them"),
    **_runs("lay", "ket hon; lay chong"),
    **_runs("bo", "bai bo; bo di; huy bo"),
    **_runs("", "sau nay; the nao; nhu the nao"),
}
