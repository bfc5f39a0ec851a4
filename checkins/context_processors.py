from advice.units import METRIC
from advice.vocabulary import DISCLAIMER

from .middleware import runner_profile


def runner(request):
    """The signed-in runner's profile and display units, for every template."""
    profile = runner_profile(request)
    return {
        "profile": profile,
        "units": profile.units if profile is not None else METRIC,
        "medical_disclaimer": DISCLAIMER,
    }
