"""Trust between the departments: moved by experience, between 0 and 1."""


def learned(trust: float, evidence: float, rate: float, gain_ratio: float = 1.0) -> float:
    """Trust moved toward what experience shows (an accuracy or a success share).

    Trust is easier to lose than to win (the asymmetry principle, Slovic 1993): good
    evidence moves it at ``gain_ratio`` times the rate of bad evidence.
    """
    step = rate if evidence < trust else rate * gain_ratio
    return min(1.0, max(0.0, trust + step * (evidence - trust)))


def hurt(trust: float, loss: float) -> float:
    """Trust after a bad experience (a stock-out, a refusal, a surprise)."""
    return max(0.0, trust - loss)


def service_evidence(
    short_share: float, refused_share: float, stockout_sensitivity: float, refusal_weight: float
) -> float:
    """What a period of service tells sales about purchasing (1: all served, nothing refused).

    A rep weighs a stock-out on its accounts ``stockout_sensitivity`` times its share
    of units (losses loom larger than gains), and a refused expedite request by
    ``refusal_weight``.
    """
    return max(0.0, 1.0 - stockout_sensitivity * short_share - refusal_weight * refused_share)


def relative_accuracy(own_error: float, their_error: float) -> float:
    """How much better the other side's forecast was than one's own, from -1 (all wrong) to 1 (0: as good).

    A buyer weighs sales' numbers by how they compare with its own statistics: a
    forecast as good as its own leaves its trust where it is; a better one earns trust,
    a worse one costs it.
    """
    total = own_error + their_error
    return 0.0 if total <= 0 else (own_error - their_error) / total


def moved(trust: float, accuracy: float, rate: float, gain_ratio: float = 1.0) -> float:
    """Trust moved by a period's relative accuracy (-1 to 1): up when the other side did better, down when worse.

    Losses weigh more than gains (Slovic 1993): gains move it at ``gain_ratio`` times the rate.
    """
    step = rate * accuracy if accuracy < 0 else rate * gain_ratio * accuracy
    return min(1.0, max(0.0, trust + step))
