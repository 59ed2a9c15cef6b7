"""A seat's standing choices on the play and team pages: suppliers, expedite answers, choices for the week.

The forms of :mod:`sim.live.play_page` put these together; each choice is shown by its
words and handed to :mod:`sim.play.entries` by its key (:func:`choice_key`).
"""

import solara

from sim.live.prose import Prose
from sim.play import entries
from sim.play.briefing import ExpediteLine, SourceOption

SCORECARD = "your scorecard"


def option_label(option: SourceOption) -> str:
    last = " (last)" if option.last else ""
    return f"supplier {option.supplier}: {option.unit_price:,.2f} a unit, {option.lead_time_days:.0f} days{last}"


def picked_suppliers(picked: dict[int, str], sources: dict[int, list[SourceOption]]) -> dict[int, int]:
    """The supplier of each SKU the person picked (a label of :func:`_option`); the scorecard's elsewhere."""
    chosen = {}
    for sku, label in picked.items():
        for option in sources.get(sku, []):
            if option_label(option) == label:
                chosen[sku] = option.supplier
    return chosen


def choice_key(choices: dict[str, str], label: str) -> str:
    """The key of a choice from its label (a label not among them is passed on, to be refused)."""
    return next((key for key, text in choices.items() if text == label), label)


@solara.component
def SupplierChoice(sources: dict[int, list[SourceOption]], picked: solara.Reactive[dict[int, str]]) -> None:
    """A supplier per SKU that has two or more: the person's pick, or the buyer's usual scorecard."""
    Prose("**Suppliers this week** (an SKU left to your scorecard goes to the one it scores best)")
    with solara.Div(classes=["spsim-suppliers"]):
        for sku, options in sources.items():
            solara.Select(
                f"SKU {sku} supplier",
                values=[SCORECARD, *(option_label(o) for o in options)],
                value=picked.value.get(sku, SCORECARD),
                on_value=lambda label, sku=sku: picked.set({**picked.value, sku: label}),
                classes=["spsim-supplier"],
            )


@solara.component
def ExpediteAnswers(
    requests: list[ExpediteLine],
    kind: solara.Reactive[str],
    max_premium: solara.Reactive[str],
    answers: solara.Reactive[dict[tuple[int, int], str]],
    errors: dict[str, str],
) -> None:
    """How the buyer answers the week's expedite requests, and last week's requests with an answer each."""
    Prose("**Expedite requests from sales** (they arrive during the week)")
    with solara.Row(style={"align-items": "center"}):
        solara.Select(
            "Answer this week's requests",
            values=list(entries.EXPEDITE_CHOICES.values()),
            value=kind,
            classes=["spsim-expedite-rule"],
            style={"width": "420px"},
        )
        if choice_key(entries.EXPEDITE_CHOICES, kind.value) == "up_to":
            solara.InputText(
                "Max premium",
                value=max_premium,
                continuous_update=True,
                error=errors.get("max premium", False),
                classes=["spsim-max-premium"],
                style={"max-width": "200px"},
            )
    if not requests:
        solara.Text("No request reached you last week.", classes=["spsim-play-message"])
        return
    Cells(["day", "account", "SKU", "units", "premium", "answered", "this week, same account and SKU"], bold=True)
    shown: set[tuple[int, int]] = set()
    for request in requests[-10:]:
        key = (request.account, request.sku)
        with solara.Row(style={"align-items": "center"}, classes=["spsim-expedite-request"]):
            Cells(
                [
                    f"{request.day}",
                    f"account {request.account}",
                    f"SKU {request.sku}",
                    f"{request.units:,}",
                    f"{request.premium:,.2f}",
                    "approved" if request.approved else "refused",
                ],
                classes=("spsim-expedite-line",),
            )
            if key not in shown:
                shown.add(key)
                solara.ToggleButtonsSingle(
                    value=ANSWER_LABELS[answers.value.get(key, entries.RULE)],
                    values=list(ANSWER_LABELS.values()),
                    on_value=lambda label, key=key: answers.set(
                        {**answers.value, key: choice_key(ANSWER_LABELS, label)}
                    ),
                    classes=["spsim-expedite-answer"],
                )


ANSWER_LABELS = {entries.RULE: "as the week", "approve": "approve", "refuse": "refuse"}


def standing_choice(
    label: str,
    choices: dict[str, str],
    chosen: solara.Reactive[str],
    with_number: str,
    number_label: str,
    number: solara.Reactive[str],
    errors: solara.Reactive[dict[str, str]],
) -> None:
    """A choice that holds for the week, with its number where the choice needs one."""
    with solara.Row(style={"align-items": "center"}):
        solara.Select(label, values=list(choices.values()), value=chosen, style={"width": "520px"})
        if choice_key(choices, chosen.value) == with_number:
            solara.InputText(
                number_label,
                value=number,
                continuous_update=True,
                error=errors.value.get(number_label.lower(), False),
                style={"max-width": "200px"},
            )


@solara.component
def Cells(texts: list[str], bold: bool = False, classes: tuple[str, ...] = ()) -> None:
    """One row of a fixed-width table; ``classes`` mark its first cell (for tests and styling)."""
    with solara.Row(gap="0px"):
        for i, text in enumerate(texts):
            width = "70px" if i == 0 else ("120px" if i < len(texts) - 1 else "170px")
            style = {"width": width, "text-align": "left" if i in (0, len(texts) - 1) else "right", "padding": "0 8px"}
            weight = {"font-weight": "bold" if bold else "normal"}
            solara.Text(text, style={**style, **weight}, classes=list(classes) if i == 0 else [])
