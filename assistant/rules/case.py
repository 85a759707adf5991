"""Everything a rule looks at: the reply, the comment (if any), the channel, the brand, the words."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property

from ..heads.sentences import Sentence
from ..knowledge import Brand, Channel
from .lexicon import Lexicon
from .patterns import Match, find_any
from .text import Text, analyse

COMPLAINT, PRAISE, QUESTION, NEUTRAL = "complaint", "praise", "question", "neutral"
_REMEDY_KINDS = ("refund", "replacement", "reshipping", "exchange", "repair")


@dataclass(frozen=True)
class Case:
    reply: Text
    comment: Text | None
    channel_name: str | None
    channel: Channel | None
    expected_lang: str | None  # the customer's language, given or detected from the comment
    brand: Brand | None
    lexicon: Lexicon
    use_heads: bool = True  # False: the lexicons decide alone (calibration compares the two)
    known_kind: str | None = None  # what a person said the comment is; it overrides the reading
    memo: dict = field(default_factory=dict, compare=False, repr=False)

    def find(self, patterns: tuple[str, ...], negatable: bool = True, gap: int = 2) -> list[Match]:
        """Matches in the reply; several rules ask the same question, so answers are kept."""
        key = (tuple(patterns), negatable, gap)
        if key not in self.memo:
            self.memo[key] = find_any(patterns, self.reply, negatable, gap)
        return self.memo[key]

    @cached_property
    def reading(self):
        """The one reading of the comment (`assistant.reading`), None without a comment."""
        if self.comment is None or not self.comment.tokens:
            return None
        from ..reading import read_comment

        # the rules ask only whether the comment is a complaint, which the n-grams often settle alone
        return read_comment(self.comment.raw, self.lexicon, use_heads=self.use_heads, kind_only=True)

    @cached_property
    def situation(self) -> str:
        """What the reply answers; decides which rules apply (a thank-you needs no remedy). A reply
        that apologises or refuses shows it answers a complaint whatever the comment's words."""
        if self.known_kind:
            return self.known_kind
        if self.reading is None or _answers_a_problem(self.reply, self.lexicon):
            return situation_of(self.comment, self.reply, self.lexicon)
        return self.reading.kind

    @cached_property
    def head_scores(self) -> dict[str, list[tuple[Sentence, float]]]:
        """rule -> (sentence, P(it carries what the rule looks for)) for every sentence of the reply;
        empty without heads. Sentence vectors are cached, so a re-check pays for new sentences only."""
        from ..heads import shipped_heads, split_sentences

        heads = shipped_heads() if self.use_heads else None
        sentences = split_sentences(self.reply.raw) if heads else []
        if not sentences:
            return {}
        return _scored(sentences, self.reply.raw, heads.reply)


_EPS = 1e-6


def _scored(sentences: list[Sentence], reply: str, heads: dict) -> dict[str, list[tuple[Sentence, float]]]:
    """Every head's score of every sentence, with the encoder (the slow part of checking) reading only
    the sentences that could change a verdict or its evidence: first those whose upper bound reaches
    the bar the best sentence must clear; then, for a head that found what it looks for, the others
    that could reach its threshold (they are evidence). The rest keep their n-gram score, a lower
    bound that decides nothing, so every verdict and every evidence span is what reading all the
    sentences would give. Two exceptions keep a pasted wall of text from holding the shared encoder:
    a sentence that is mostly not letters (numbers, codes, symbols) carries no tone and is read by
    its n-grams alone, and no reply sends more than ENCODED_PER_REPLY characters to the encoder."""
    import numpy as np

    from ..heads import sentence_vectors

    texts = [s.text for s in sentences]
    reading = {rule: head for rule, head in heads.items() if head.needs_vectors}
    upper = {rule: head.upper_bounds(texts) for rule, head in reading.items()}
    known = np.zeros(len(texts), dtype=bool)
    dimensions = max((head.encoder.weights.shape[1] for head in reading.values()), default=0)
    vectors = np.zeros((len(texts), dimensions), dtype=np.float32)

    def read(rows: set[int]) -> None:
        rows = [i for i in sorted(rows) if not known[i] and _wordy(texts[i])]
        spent = sum(len(texts[i]) for i in np.flatnonzero(known))
        allowed = []
        for i in rows:
            spent += len(texts[i])
            if spent > ENCODED_PER_REPLY:
                break
            allowed.append(i)
        rows = allowed
        if rows:
            vectors[rows] = sentence_vectors([sentences[i] for i in rows])
            known[rows] = True

    def scores(head) -> list[float]:
        return [float(p) for p in head.probabilities(vectors if known.any() else None, texts, known=known)[:, 0]]

    read({i for rule, head in reading.items() for i in np.flatnonzero(upper[rule] >= head.sentence_bar(reply) - _EPS)})
    found = [rule for rule, head in reading.items() if head.reply_score(scores(head), reply) >= head.threshold() - _EPS]
    read({i for rule in found for i in np.flatnonzero(upper[rule] >= reading[rule].threshold() - _EPS)})
    return {rule: list(zip(sentences, scores(head), strict=True)) for rule, head in heads.items()}


ENCODED_PER_REPLY = 6000  # characters; a real reply is a few hundred, the longest channel allows ~5,000


def _wordy(text: str) -> bool:
    """False for a long run of numbers or symbols (a short one, a phone or an order number, is read)."""
    if len(text) <= 200:
        return True
    return sum(ch.isalpha() for ch in text) >= 0.5 * len(text.replace(" ", ""))


# Marketplace reviews come as "Достоинства: … Недостатки: … Комментарий: …"
_DRAWBACKS = re.compile(
    r"(?:недостатки|минусы|cons)\s*:\s*(.+?)(?=(?:комментарий|достоинства|плюсы|pros)\s*:|$)", re.I | re.S
)
# "Минусов нет", "Их нет, боевая вещь", "Не нашла минусов": the drawbacks field says there are none
_NO_DRAWBACKS = re.compile(
    r"^\W*(?:пока\s+)?(?:(?:их|минус\w*|недостат\w*|не\s*достат\w*)\s+)?(?:совсем\s+|вообще\s+|пока\s+)?"
    r"(?:нет|нету|не\s+(?:обнаружен|выявлен|выявил|нашл|нашел|нашёл)\w*(?:\s+минус\w*|\s+недостат\w*)?|"
    r"отсутству\w*|все так|всё так|none|no|n/a|-)(?:\W*$|\s*[,.!;)]|\s+(?:одни|только)\b)",
    re.I,
)


_ANGRY_OR_LOW_RATING = re.compile(
    r"\?!|!\?|(?<![\d.])[0-3](?:[.,]\d)?\s*/\s*5\b|\b[1-3]\s*звезд|\bодн[аун]\s+звезд|"
    r"\b[1-3]\s*stars?\b|\bone star",
    re.I,
)


_SAD = re.compile(r"\({2,}|:-?\(|☹|😡|😠|🤬|😤")  # "пришло синее((" is a complaint in any words


def plainly_complains(comment: str) -> bool:
    """A sad face, an angry "?!" or a rating of three stars or less: on the real corpus's train and dev
    splits 24 of 24 comments with a sad face and 50 of 54 with the others were complaints, so these
    signs make a complaint whatever the learned head says («срок годности истёк((» scored just under
    the head's threshold)."""
    return bool(_SAD.search(comment) or _ANGRY_OR_LOW_RATING.search(comment))


_SENTENCES = re.compile(r"(?<=[.!?…])\s+|\n+")
_HYPOTHETICAL = re.compile(r"\b(если|вдруг|можно ли|возможно ли|if|in case|is it possible|can i|could i)\b", re.I)


def situation_of(comment: Text | None, reply: Text, lexicon: Lexicon) -> str:
    """Complaint wins: a comment that praises and complains is answered as a complaint, and a
    reply that apologises or refuses shows it answers one even when the comment's words do not."""
    if _answers_a_problem(reply, lexicon):
        return COMPLAINT
    if comment is None or not comment.tokens:
        remedies = tuple(p for kind in _REMEDY_KINDS for p in lexicon.commitments.get(kind, ()))
        if find_any(lexicon.complaint, reply, negatable=False) or find_any(remedies, reply):
            return COMPLAINT
        return PRAISE if find_any(lexicon.praise, reply, negatable=False) else NEUTRAL
    if plainly_complains(comment.raw):
        return COMPLAINT
    if _HYPOTHETICAL.search(comment.raw) and "?" in comment.raw and not _complains_outside_hypothesis(comment, lexicon):
        return QUESTION  # "если размер не подойдёт, можно обменять?" asks about a policy
    drawbacks = [d.strip() for d in _DRAWBACKS.findall(comment.raw)]
    if any(_a_drawback(d, lexicon) for d in drawbacks):
        return COMPLAINT
    if find_any(lexicon.complaint, comment):  # "не села после стирки" praises, it does not complain
        return COMPLAINT
    if find_any(lexicon.praise, comment, negatable=False):
        return PRAISE
    if find_any(lexicon.complaint_topic, comment):
        return QUESTION if "?" in comment.raw else COMPLAINT  # "маломерят?" asks
    return QUESTION if "?" in comment.raw else NEUTRAL


def _a_drawback(text: str, lexicon: Lexicon) -> bool:
    """A "Недостатки:" field that names a drawback: not "минусов нет", and not praise ("Всё отлично")."""
    if not text or _NO_DRAWBACKS.match(text):
        return False
    words = analyse(text)
    return not (find_any(lexicon.praise, words, negatable=False) and not find_any(lexicon.complaint, words))


def _complains_outside_hypothesis(comment: Text, lexicon: Lexicon) -> bool:
    """ "Курьер не позвонил и бросил пакет. А если б украли??" complains first and then wonders."""
    for sentence in _SENTENCES.split(comment.raw):
        if sentence.strip() and not _HYPOTHETICAL.search(sentence) and find_any(lexicon.complaint, analyse(sentence)):
            return True
    return False


def _answers_a_problem(reply: Text, lexicon: Lexicon) -> bool:
    return bool(find_any(lexicon.apology + lexicon.feeling + lexicon.refusals, reply))


def make_case(
    reply: str,
    comment: str | None,
    channel_name: str | None,
    lang: str | None,
    brand: Brand | None,
    lexicon: Lexicon,
    use_heads: bool = True,
    known_kind: str | None = None,
) -> Case:
    comment_text = analyse(comment) if comment and comment.strip() else None
    expected = lang or (comment_text.lang if comment_text is not None and comment_text.tokens else None)
    channel = brand.channels.get(channel_name) if brand and channel_name else None
    return Case(analyse(reply), comment_text, channel_name, channel, expected, brand, lexicon, use_heads, known_kind)
