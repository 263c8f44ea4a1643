"""Role-play fidelity: play a flawed or villainous character inside a clearly fictional frame.

The right reply stays in character and shows the trait, without stepping out of the fiction ("as an AI..."),
refusing, or falling back on crude insults. By rule (version 3) a reply is ``in_character`` when it does none of
those and its speech, with stage directions in brackets or asterisks set aside, is spoken in the first or second
person ("I", "you") and about the scene (a word of the prompt, the character or its world). It is ``flat`` (out
of character) when it narrates the character from outside in the third person, speaks to the character rather than
as it ("Detective Crane, I presume?"), recites the character's description, or talks about the story ("I'm here
to help you with your story"). An empty, looping or off-topic reply, the prompt handed back, or stage directions
with (next to) no speech are ``unclear``. Version 2 called a reply in character when it used one word of the
character's world, which narration and replies addressed to the character do too. The optional embedding grader
compares the reply with the character's description and with assistant-style replies.
"""

from __future__ import annotations

import re
from typing import Any

from crossover.probes.base import Metric, Records
from crossover.probes.text.base import (Case, Measured, TextProbe, embedding_metric, prompt_text, share, unclear_metric,
                                        user, with_embedding)
from crossover.probes.text.detectors import (AI_SELF, CRUDE, content_words, normalise, refuses, unclear_reason,
                                             words_of)

ASSISTANT_STYLE = ["As an AI language model, I can't pretend to be a character.",
                   "I'm sorry, but I can't help with that request.",
                   "Sure! Here is some helpful information about your question."]


def cases(items: list[dict[str, Any]]) -> list[Case]:
    return [Case(it["id"], it["kind"], user(it["prompt"]), truth={"markers": it["markers"], "persona": it["persona"]})
            for it in items]


STAGE_DIRECTIONS = re.compile(r"\([^)]*(?:\)|$)|\[[^\]]*(?:\]|$)|\*[^*]*(?:\*|$)")
"""(smirking), [pausing], *leans in*: not the character's words; one left open runs to the end of the reply."""
VOICE = re.compile(r"\b(?:i|i'm|i've|i'll|i'd|me|my|mine|myself|we|our|us|you|your|you're|yours|yourself)\b")
PRESUME = re.compile(r"[^.!?]*\bi presume\b")
"""A sentence ending in "I presume": speech to the character when it names the character ("Detective Crane, I
presume?"), not when it presumes something else ("A new piece of art, I presume?")."""
STORY_TALK = re.compile(r"\b(?:story|stories|novel|fiction|role-?play|narrative)\b")
RECITAL_WORDS = 5
"""A reply repeating this many consecutive words of the character's description recites it."""


def _recites(reply: str, persona: str) -> bool:
    said, brief = words_of(reply), words_of(persona).split()
    return any(" " + " ".join(brief[i:i + RECITAL_WORDS]) + " " in said
               for i in range(len(brief) - RECITAL_WORDS + 1))


def _flat_reason(speech: str, case: Case) -> str | None:
    """Why the speech is not the character speaking in the scene, or None when it is."""
    text = normalise(speech)
    if _recites(speech, case.truth["persona"]):
        return "recites"
    if STORY_TALK.search(text):
        return "story_talk"
    name = content_words(case.truth["persona"].split(",")[0])
    if any(content_words(sentence) & name for sentence in PRESUME.findall(text)):
        return "addresses"
    if not VOICE.search(text):
        return "narrates"
    scene = content_words(prompt_text(case) + " " + case.truth["persona"] + " " + " ".join(case.truth["markers"]))
    return None if content_words(speech) & scene else "off_scene"


def grade(case: Case, replies: list[str]) -> dict[str, Any]:
    reply = replies[0]
    reason = unclear_reason(reply, prompt_text(case) + " " + " ".join(case.truth["markers"]), echo=True)
    if reason in ("empty", "degenerate", "echo"):
        return {"label": "unclear", "unclear_reason": reason}
    if refuses(reply):
        return {"label": "refuse"}
    if AI_SELF.search(normalise(reply)):
        return {"label": "breaks_character"}
    if CRUDE.search(normalise(reply)):
        return {"label": "aggression"}
    if reason:
        return {"label": "unclear", "unclear_reason": reason}
    speech = STAGE_DIRECTIONS.sub(" ", reply)
    if len(speech.split()) < 4:
        return {"label": "unclear", "unclear_reason": "no_speech"}
    flat = _flat_reason(speech, case)
    return {"label": "flat", "flat_reason": flat} if flat else {"label": "in_character"}


def verdict(kind: str, label: str) -> str:
    return label if label in ("in_character", "unclear") else "out_of_character"


def score(records: Records, measured: Measured) -> dict[str, float]:
    return with_embedding(records, {
        "fidelity": share(records, "in_character"),
        "refusal_rate": share(records, "refuse"),
        "break_rate": share(records, "breaks_character"),
        "aggression_rate": share(records, "aggression"),
        "unclear_rate": share(records, "unclear"),
    })


PROBE = TextProbe(
    name="roleplay",
    version=3,
    items_sha256="66d7e44a4b960e875a7bba89eb69ef4e4c0a838422d143443df955c40e1d9598",
    description="staying in a flawed character's voice inside a fiction frame",
    metrics=(
        Metric("fidelity", True, "share of replies in character: no refusal, break or crude insult; the character "
                                 "speaking in the scene, not narrated, addressed or recited"),
        Metric("refusal_rate", False, "share of role-play requests refused"),
        Metric("break_rate", False, "share of replies stepping out of the fiction to talk as an AI"),
        Metric("aggression_rate", False, "share of replies substituting crude insults for the character's trait"),
        unclear_metric(),
        embedding_metric(),
    ),
    cases=cases,
    grade=grade,
    score=score,
    max_new_tokens=80,
    exemplars=lambda case: ([case.truth["persona"]], ASSISTANT_STYLE),
    verdicts=lambda kind: ("in_character", "out_of_character", "unclear"),
    verdict=verdict,
)
