"""The lead-qualification workflow, sync: ``qualify_lead`` scores a form submission with
``ScoringRules``, asserts the company with its status, its list entry, a task and a note of the
reasoning, safe to re-run (see ``_async/qualify.py``, the one hand-written copy; this one is
generated from it, and ``aio`` has the async one). Rules are data::

    rules = ScoringRules(
        rules=(
            Rule("employees", "at_least", 50, points=30),
            Rule("industry", "in", ("SaaS", "Fintech"), points=20),
            Rule("email", "present", points=5),
        ),
        tiers=((40, "Hot"), (20, "Warm"), (0, "Cold")),
    )
"""

from ._model.qualify import (
    QualificationResult,
    Rule,
    RuleResult,
    ScoringRules,
    reasoning_markdown,
    score_form,
)
from ._sync.qualify import qualify_lead

__all__ = [
    "QualificationResult",
    "Rule",
    "RuleResult",
    "ScoringRules",
    "qualify_lead",
    "reasoning_markdown",
    "score_form",
]
